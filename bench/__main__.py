"""Run every benchmark: ``python -m bench`` (``make bench``)."""

from bench import reference_load

if __name__ == "__main__":
    reference_load.main()
