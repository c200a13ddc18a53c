"""Suite-wide pytest configuration."""

# The emulator's plugin is disabled as an entry point in pyproject.toml (-p no:authlib_kakao) and
# loaded here by module name, so our suite never depends on the installed entry point.
pytest_plugins = ["pytester", "authlib_kakao.testing.pytest_plugin"]
