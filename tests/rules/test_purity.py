import ast
from importlib import resources


def imported_modules(source: str) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_the_rules_import_neither_django_nor_the_rest_of_jaring():
    package = resources.files("jaring.rules")
    sources = [path for path in package.iterdir() if path.name.endswith(".py")]
    assert len(sources) >= 8
    for path in sources:
        for module in imported_modules(path.read_text(encoding="utf-8")):
            assert not module.startswith("django"), f"{path.name} imports {module}"
            assert not module.startswith("jaring.") or module.startswith("jaring.rules"), (
                f"{path.name} imports {module}"
            )
