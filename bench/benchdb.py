"""What the benches share: a fresh PostgreSQL database for each measured run."""


def database_recreate(url: str) -> None:
    """Drops and creates the database of ``url`` (postgres://.../name), through the ``postgres`` database."""
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
