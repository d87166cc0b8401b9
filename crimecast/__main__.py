"""``python -m crimecast``: the ``forecast`` command."""

from crimecast.cli import main

if __name__ == "__main__":
    main()
