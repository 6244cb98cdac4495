"""Moving the test database between migrations, for tests of data migrations."""


class Migrator:
    """Moves the test database to given migrations and hands out the historical models there,
    for tests that put rows in place under an old schema and migrate them forward (or back)."""

    def __init__(self, connection):
        self.connection = connection

    def _executor(self):
        from django.db.migrations.executor import MigrationExecutor

        return MigrationExecutor(self.connection)

    def migrate(self, targets):
        """Apply or unapply so that each (app, migration) in ``targets`` is the latest applied
        of its app (``(app, None)``: none of it); returns the app registry of the database's
        state then (``apps.get_model(...)``)."""
        self._executor().migrate(targets)
        loader = self._executor().loader
        return loader.project_state(list(loader.applied_migrations)).apps

    def migrate_to_latest(self):
        return self.migrate(self._executor().loader.graph.leaf_nodes())
