"""Fixture for python.input.keylogger: `ruleid` lines must produce it, `ok` lines must not."""

raise SystemExit("codeward rule fixture: read by the analyzer, never run")

import keyboard
from pynput import keyboard as kb


def on_press(key):
    with open("keys.txt", "a") as log:
        log.write(str(key))


# ruleid: python.input.keylogger
listener = kb.Listener(on_press=on_press)
# ruleid: python.input.keylogger
keyboard.on_press(lambda event: print(event.name))
# ok: python.input.keylogger
keyboard.add_hotkey("ctrl+q", quit)
