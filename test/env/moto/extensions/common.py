"""Helpers shared by the extensions: cross-account backend lookup, AWS-style filters."""

import fnmatch
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from moto.ec2.exceptions import EC2ClientError, InvalidFilter
from moto.ec2.models import ec2_backends

# moto's server is threaded; the extensions mutate several objects per request (ENIs,
# subnet IP maps, endpoint state), so they serialise on one lock.
LOCK = threading.RLock()


def ec2_backends_in_region(region: str) -> Iterator[Any]:
    """Every account's EC2 backend for `region` that already exists (never creates one)."""
    for _account_id, backend_region, backend in list(ec2_backends.iter_backends()):
        if backend_region == region:
            yield backend


def client_error(code: str, message: str) -> EC2ClientError:
    """An EC2 error with an arbitrary code (moto has no class for some of AWS's codes)."""
    return EC2ClientError(code, message)


def unsuccessful(resource_id: str, code: str, message: str) -> dict[str, Any]:
    """One UnsuccessfulItem as EC2 batch calls return it."""
    return {"ResourceId": resource_id, "Error": {"Code": code, "Message": message}}


def tag_values(tags: Iterable[dict[str, str]], name: str) -> list[str]:
    """Values the `tag:<key>` / `tag-key` filters see for `tags` ([{Key, Value}])."""
    if name == "tag-key":
        return [t["Key"] for t in tags]
    if name.startswith("tag:"):
        key = name[4:]
        return [t["Value"] for t in tags if t["Key"] == key]
    return []


def _matches(values: list[str], patterns: list[str]) -> bool:
    # EC2 filter values may use the wildcards * and ?.
    return any(fnmatch.fnmatchcase(v, p) for v in values for p in patterns)


def apply_filters(
    items: list[Any],
    filters: dict[str, list[str]],
    getters: dict[str, Callable[[Any], list[str]]],
    tags_of: Callable[[Any], list[dict[str, str]]] | None = None,
) -> list[Any]:
    """AWS filter semantics: values within a filter are OR'ed, filters are AND'ed.

    Unknown filter names raise InvalidParameterValue like EC2 does, never a 500.
    """
    for name, wanted in filters.items():
        if name in getters:
            items = [item for item in items if _matches(getters[name](item), wanted)]
        elif tags_of is not None and (name == "tag-key" or name.startswith("tag:")):
            items = [item for item in items if _matches(tag_values(tags_of(item), name), wanted)]
        else:
            raise InvalidFilter(name, "InvalidParameterValue")
    return items


def ec2_tags(resource: Any) -> list[dict[str, str]]:
    """Tags of a moto TaggedEC2Resource as [{Key, Value}]."""
    return [{"Key": t["key"], "Value": t["value"]} for t in resource.get_tags()]


def paginate(
    items: list[Any], max_results: int | None, next_token: str | None, minimum: int = 1
) -> tuple[list[Any], str | None]:
    """One page of `items` and the token of the next (None on the last page).

    Like EC2: MaxResults above 1000 returns 1000; below `minimum` is InvalidParameterValue;
    an unknown token is InvalidNextToken. Tokens are offsets (opaque to callers).
    """
    size = min(max_results or 1000, 1000)
    if size < minimum:
        raise client_error(
            "InvalidParameterValue", f"Value ( {max_results} ) for parameter maxResults is invalid."
        )
    start = 0
    if next_token:
        if not next_token.isdigit() or int(next_token) > len(items):
            raise client_error("InvalidNextToken", f"The token '{next_token}' is invalid")
        start = int(next_token)
    more = start + size < len(items)
    return items[start : start + size], str(start + size) if more else None
