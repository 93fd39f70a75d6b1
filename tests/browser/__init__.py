"""The app served to a real browser (Chromium, headless), as a clerk would open it."""
