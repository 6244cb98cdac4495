"""Every environment variable the settings read is listed in the README's table."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
READ_CALL = re.compile(
    r"\.(?:str|int|float|bool|list|tuple|dict|json|url|path|db|db_url|cache|email_url)"
    r"\(\s*[\"']([A-Z][A-Z0-9_]*)[\"']"
)


def variables_read_by_settings():
    names = set()
    for file in (ROOT / "ecgsite" / "settings").glob("*.py"):
        names.update(READ_CALL.findall(file.read_text()))
    return names


def test_the_settings_read_the_expected_variables():
    names = variables_read_by_settings()
    assert {"SECRET_KEY", "DATABASE_URL", "REDIS_URL", "EMAIL_URL", "GOOGLE_CLIENT_ID",
            "LINKEDIN_CLIENT_SECRET", "ECG_VAR_DIR", "TEST_DATABASE_URL"} <= names


def test_every_variable_is_in_the_readme_configuration_table():
    readme = (ROOT / "README.md").read_text()
    table = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    missing = sorted(name for name in variables_read_by_settings() if f"`{name}`" not in table)
    assert not missing, f"add these to the README's configuration table: {missing}"
