"""The loader forgets what it changed at the edge (issue 31's freshness): after a load or a removal
on a stack with a distribution (moto's CloudFront), one invalidation of exactly the affected paths,
wildcards past the budget, a dry run that only says them, and a failure that is said and undoes nothing."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from essays_cli import invalidation, seed

from tests.conftest import SAMPLES, sample_records
from tests.integration.test_seed_cli import get, run, write_jsonl

STACK = "essay-library-test"


def distribution() -> str:
    origin = {"Id": "site", "DomainName": "site.s3.amazonaws.com", "S3OriginConfig": {"OriginAccessIdentity": ""}}
    config = {
        "CallerReference": "essays",
        "Comment": "",
        "Enabled": True,
        "Origins": {"Quantity": 1, "Items": [origin]},
        "DefaultCacheBehavior": {"TargetOriginId": "site", "ViewerProtocolPolicy": "redirect-to-https"},
    }
    return str(boto3.client("cloudfront").create_distribution(DistributionConfig=config)["Distribution"]["Id"])


def stack(table: str, distribution_id: str) -> None:
    outputs = {"EssaysTableName": {"Value": table}, "SiteDistributionId": {"Value": distribution_id}}
    template = {"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}, "Outputs": outputs}
    boto3.client("cloudformation").create_stack(StackName=STACK, TemplateBody=json.dumps(template))


def invalidated(distribution_id: str) -> list[list[str]]:
    cloudfront = boto3.client("cloudfront")
    listed = cloudfront.list_invalidations(DistributionId=distribution_id)["InvalidationList"].get("Items", [])
    batches = [cloudfront.get_invalidation(DistributionId=distribution_id, Id=i["Id"]) for i in listed]
    return [b["Invalidation"]["InvalidationBatch"]["Paths"].get("Items", []) for b in batches]


@pytest.fixture
def edge(essays_table: str) -> str:
    distribution_id = distribution()
    stack(essays_table, distribution_id)
    return distribution_id


def test_a_load_then_a_removal_invalidate_exactly_what_they_changed(
    edge: str, essays_table: str, ddb: Any, tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    one = sample_records()[0]
    path = write_jsonl(tmp_path / "one.jsonl", [one])
    status, out, _ = run(capsys, "load", str(path), "--stack", STACK)
    assert status == 0 and "1 loaded" in out
    essay_id = out.split("id and title):\n  ")[1].split("\t")[0]
    assert get(ddb, essays_table, f"ESSAY#{essay_id}", "CARD") is not None
    [paths] = invalidated(edge)
    assert f"Invalidated {len(paths)} path(s) at the distribution {edge}" in out
    assert paths[:4] == [
        f"/api/essays/{essay_id}",
        f"/api/essays/{essay_id}/preview",
        f"/api/essays/{essay_id}/related",
        f"/essays/{essay_id}",
    ]
    section_paths = [p for p in paths if p.startswith("/api/sections/")]
    assert len(section_paths) == 1 and section_paths[0].endswith("/essays*")
    section_id = section_paths[0].split("/")[3]
    assert f"--{one['subject'].lower()}--" in section_id  # the essay's own section
    assert f"/sections/{section_id}*" in paths and f"/sitemaps/essays/{section_id}/*" in paths
    assert set(invalidation.EVERYWHERE) <= set(paths)
    assert all("*" not in p[:-1] for p in paths)  # CloudFront's rule: a wildcard only at the end

    # Loaded again unchanged: nothing changed, nothing to invalidate.
    status, out, _ = run(capsys, "load", str(path), "--stack", STACK)
    assert status == 0 and "1 unchanged" in out and "Invalidated" not in out and len(invalidated(edge)) == 1

    status, out, _ = run(capsys, "remove", essay_id, "--stack", STACK)
    assert status == 0 and "1 removed" in out
    assert sorted(map(sorted, invalidated(edge))) == sorted([sorted(paths), sorted(paths)])


def test_a_big_load_is_invalidated_by_wildcards_in_one_batch_within_cloudfronts_limits(
    edge: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(capsys, "load", *map(str, SAMPLES), "--stack", STACK)
    assert status == 0 and "45 loaded" in out
    [paths] = invalidated(edge)
    # 45 essays in 8 sections: past both budgets, so the wildcards alone, not 180 + 24 paths
    assert sorted(paths) == sorted(
        ["/api/essays/*", "/essays/*", "/api/sections/*", "/sections/*", "/sitemaps/essays/*", *invalidation.EVERYWHERE]
    )
    assert sum(p.endswith("*") for p in paths) <= 15  # wildcard paths in progress per distribution


def test_at_most_the_budget_is_named_path_by_path() -> None:
    essays = [f"e{i}" for i in range(invalidation.ESSAY_BUDGET)]
    sections = [f"s{i}" for i in range(invalidation.SECTION_BUDGET)]
    paths = invalidation.paths(essays, sections)
    assert len(paths) <= 100 and sum(p.endswith("*") for p in paths) <= 15
    assert "/api/essays/*" not in paths and "/api/sections/*" not in paths
    assert "/api/essays/*" in invalidation.paths([*essays, "one-more"], sections)
    assert invalidation.paths([], []) == []


def test_the_dry_run_says_the_paths_and_invalidates_nothing(edge: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "load", *map(str, SAMPLES[:1]), "--stack", STACK, "--dry-run")
    assert status == 0 and "Dry run:" in out
    essay_id = out.split("id and title):\n  ")[1].split("\t")[0]
    assert "Would invalidate" in out and f"at the distribution {edge}:" in out
    assert f"  /api/essays/{essay_id}/preview\n" in out and "  /api/search*\n" in out
    assert invalidated(edge) == []


def test_a_failed_invalidation_is_said_and_the_load_stands(
    essays_table: str, ddb: Any, tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    stack(essays_table, "E0NOSUCHDISTRIBUTION")
    one = sample_records()[0]
    status, out, err = run(capsys, "load", str(write_jsonl(tmp_path / "one.jsonl", [one])), "--stack", STACK)
    assert status == 1 and "1 loaded" in out
    assert "the load is written, but the edge was not invalidated at the distribution E0NOSUCHDISTRIBUTION" in err
    assert "until their s-maxage (CdnMaxAge, 3,600 s by default) runs out" in err
    essay_id = out.split("id and title):\n  ")[1].split("\t")[0]
    assert f"  /api/essays/{essay_id}/preview" in err  # what to invalidate by hand
    assert get(ddb, essays_table, f"ESSAY#{essay_id}", "CARD") is not None


def test_with_table_alone_there_is_no_edge_to_tell(
    essays_table: str, tmp_path: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(seed, "_edge", lambda args: pytest.fail("asked for an edge") if args.stack else None)
    status, out, _ = run(capsys, "load", *map(str, SAMPLES[:1]), "--table", essays_table)
    assert status == 0 and "Invalidat" not in out
