"""Fixture for python.input.screen_capture: `ruleid` lines must produce it, `ok` lines must not."""

raise SystemExit("codeward rule fixture: read by the analyzer, never run")

import pyautogui
from PIL import Image, ImageGrab

# ruleid: python.input.screen_capture
shot = ImageGrab.grab()
# ruleid: python.input.screen_capture
pyautogui.screenshot("screen.png")
# ok: python.input.screen_capture
logo = Image.open("logo.png")
