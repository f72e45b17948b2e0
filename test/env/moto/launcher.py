"""Start moto's server with the PrivateLink extensions applied (see extensions/).

Usage: python launcher.py --host 127.0.0.1 --port 5000
"""

import argparse
import sys

from moto import server

import extensions


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    extensions.apply()
    sys.stdout.flush()
    server.main(["-H", args.host, "-p", str(args.port)])


if __name__ == "__main__":
    main()
