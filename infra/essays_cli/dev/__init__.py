"""essays-dev's parts, one job each (essays_cli/devserver.py puts them together): the emulator
(emulator.py), SAM's build and deploy into it and the sample essays (deploy.py), the local readers
(readers.py), the files and the welcome it writes (state.py), and `essays-dev billing-event`
(billing_event.py). What they share (paths, the local stack's settings, how a step runs) is local.py's."""
