"""Write the API's OpenAPI schema to frontend/openapi.json for `npm run gen:api`.

Run from the repository root: `uv run python frontend/scripts/export_openapi.py`. Building the
app does not start it (no database or Redis is touched), so this works on a bare checkout.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from api.app import create_app  # noqa: E402

out = ROOT / "frontend" / "openapi.json"
schema = create_app().openapi()
out.write_text(json.dumps(schema, indent=2, sort_keys=False) + "\n")
print(f"wrote {out.relative_to(ROOT)}: {len(schema.get('paths', {}))} paths")
