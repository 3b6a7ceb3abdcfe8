"""`python -m benchctl` is the same program as the `benchctl` console script."""

from benchctl.cli.app import run

if __name__ == "__main__":
    run()
