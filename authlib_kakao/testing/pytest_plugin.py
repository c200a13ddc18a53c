"""pytest plugin: the kakao_emulator fixture (registered through the pytest11 entry point)."""
