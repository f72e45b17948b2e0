"""PrivateLink (and API Gateway VPC link) behaviour moto 5.2.5 lacks or gets wrong, patched in at start-up.

Each module patches one area and exposes ``install()``; README.md beside this package
documents every extension and the AWS behaviour it reproduces.
"""

from . import (
    apigatewayv2,
    connections,
    elbv2,
    elbv2_targets,
    endpoint_services,
    endpoints,
    route53,
    security_groups,
    tags,
)

_installed = False


def apply() -> None:
    """Install every extension. Idempotent."""
    global _installed
    if _installed:
        return
    for module in (
        endpoint_services,
        endpoints,
        connections,
        security_groups,
        elbv2,
        elbv2_targets,
        route53,
        apigatewayv2,
        tags,
    ):
        module.install()
    _installed = True
