"""The Lambda context the bench hands a handler. A module of its own that imports nothing, so a
cold start (first_request) can use it without loading what common.py loads before its clock."""


class LambdaContext:
    function_name = "bench"
    memory_limit_in_mb = 512
    aws_request_id = "bench"
    invoked_function_arn = "arn:aws:lambda:eu-west-2:000000000000:function:bench"

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 5000
