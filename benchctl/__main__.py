"""`python -m benchctl` is the same program as the `benchctl` console script."""

from benchctl.cli.app import main

if __name__ == "__main__":
    main()
