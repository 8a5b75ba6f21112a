"""Runs the W3C Feed Validation Service's own code over feed files and prints every event as one JSON line.

Usage: python3 validate.py FEEDVALIDATOR_DIR BASE_URL FILE...
Each line: {"file", "level" ("error" | "warning"), "type", "message", "line", "element", "value"}.
The "AA" filter is the one the online service applies.
"""
import json
import os
import sys

validator_dir, base, files = sys.argv[1], sys.argv[2], sys.argv[3:]
sys.path.insert(0, os.path.join(validator_dir, 'src'))
import feedvalidator  # noqa: E402
from feedvalidator import compatibility  # noqa: E402
from feedvalidator.formatter.text_plain import Formatter  # noqa: E402
from feedvalidator.logging import Error, Warning  # noqa: E402

for path in files:
    with open(path, 'rb') as stream:
        try:
            events = feedvalidator.validateStream(stream, firstOccurrenceOnly=0, base=base + os.path.basename(path))['loggedEvents']
        except feedvalidator.logging.ValidationFailure as failure:
            events = [failure.event]
    events = compatibility.AA(events)
    messages = Formatter(events)
    for event, message in zip(events, messages):
        level = 'error' if isinstance(event, Error) else 'warning' if isinstance(event, Warning) else 'info'
        params = event.params
        print(json.dumps({
            'file': path, 'level': level, 'type': type(event).__name__, 'message': message,
            'line': params.get('line'), 'element': params.get('element'), 'value': str(params.get('value', ''))[:200],
        }), flush=True)
