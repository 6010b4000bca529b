"""The installed package's version, for outputs that record what produced them."""

from importlib.metadata import PackageNotFoundError, version


def package_version() -> str:
    try:
        return version("peervalue")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0.0.0"
