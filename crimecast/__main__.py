"""``python -m crimecast``: the ``forecast`` command."""

from crimecast.cli import cli

if __name__ == "__main__":
    cli()
