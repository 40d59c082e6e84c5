"""How pytest-xdist shares the suite between its workers (`-n auto --dist loadgroup` in pyproject.toml)."""

from xdist.scheduler import LoadGroupScheduling

SHARED_REDIS_GROUP = "shared-redis"


class SharedRedisScheduling(LoadGroupScheduling):
    """`--dist loadgroup`, with every test module that names Redis in one group: they use fixed database
    numbers on the local one (9, 12, 15), which they flush or count in, directly or through another module's
    fixture (tests/api/test_request_pipeline.py borrows tests/apikeys/test_key_cache.py's), so they run on one
    worker, one after the other; every other test goes wherever a worker is free. Naming Redis is enough to
    be grouped, so a module that uses it must say so somewhere (an import, a fixture, a docstring).

    A scheduler rather than xdist_group markers: xdist 3.8 groups by renaming items through `Item._nodeid`,
    which pytest 9.2 no longer reads (a node id comes from `Item._id`), so the markers group nothing."""

    def __init__(self, config, log=None):
        super().__init__(config, log)
        self.root = config.rootpath
        self.shares_redis: dict[str, bool] = {}

    def _split_scope(self, nodeid: str) -> str:
        module = nodeid.split("::", 1)[0]
        if module not in self.shares_redis:
            path = self.root / module
            self.shares_redis[module] = path.is_file() and "redis" in path.read_text(encoding="utf-8").lower()
        return SHARED_REDIS_GROUP if self.shares_redis[module] else super()._split_scope(nodeid)


def give_each_fuzzed_operation_its_own_id(items) -> None:
    """schemathesis names the test of each operation `test_x[GET /api/v1/customers]`, but pytest 9.2 builds a
    test's id from its original name and parameters only, so the tests of tests/api/test_fuzz.py all had one
    id; xdist schedules by id and would run the first of them alone. The operation becomes the id's
    parameters again. (Writes pytest's own `_id`: what schemathesis 4.32 would set if it knew pytest 9.2.)"""
    for item in items:
        operation = getattr(item, "operation_label", None)
        if operation and item._id.params is None:
            item._id = item._id.with_params(operation)
