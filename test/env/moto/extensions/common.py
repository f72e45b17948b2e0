"""Helpers shared by the extensions: cross-account backend lookup, AWS-style filters."""
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


def tag_values(tags: Iterable[dict[str, str]], name: str) -> list[str] | None:
    """Values the `tag:<key>` / `tag-key` filters see for `tags` ([{Key, Value}]), or None."""
    if name == "tag-key":
        return [t["Key"] for t in tags]
    if name.startswith("tag:"):
        key = name[4:]
        return [t["Value"] for t in tags if t["Key"] == key]
    return None


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
            get = getters[name]
        elif tags_of is not None and (name == "tag-key" or name.startswith("tag:")):
            get = lambda item, n=name: tag_values(tags_of(item), n) or []  # noqa: E731
        else:
            raise InvalidFilter(name, "InvalidParameterValue")
        items = [item for item in items if set(get(item)) & set(wanted)]
    return items


def ec2_tags(resource: Any) -> list[dict[str, str]]:
    """Tags of a moto TaggedEC2Resource as [{Key, Value}]."""
    return [{"Key": t["key"], "Value": t["value"]} for t in resource.get_tags()]
