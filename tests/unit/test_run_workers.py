"""`communique run` starts one worker per kind of work: processing, I/O, reprocessing."""

from __future__ import annotations

from workers import routing
from workers.cli.run import worker_commands
from workers.settings import Settings


def _option(cmd: list[str], flag: str) -> str:
    return cmd[cmd.index(flag) + 1]


def test_every_queue_has_exactly_one_worker_with_the_right_pool() -> None:
    settings = Settings(worker_concurrency=3, io_concurrency=6, reprocess_concurrency=1)
    commands = worker_commands(settings)
    queues = [_option(cmd, "-Q").split(",") for cmd in commands]
    served = [q for qs in queues for q in qs]
    assert sorted(served) == sorted(routing.ALL_QUEUES)  # each queue once, none forgotten
    by_queue = {q: cmd for cmd, qs in zip(commands, queues, strict=True) for q in qs}
    process = by_queue[routing.PROCESS_QUEUE]
    assert (_option(process, "--pool"), _option(process, "--concurrency")) == ("prefork", "3")
    for io_queue in (routing.POLL_QUEUE, routing.FETCH_QUEUE, routing.MAINTENANCE_QUEUE):
        io = by_queue[io_queue]
        assert (_option(io, "--pool"), _option(io, "--concurrency")) == ("threads", "6")
    reprocess = by_queue[routing.REPROCESS_QUEUE]
    assert _option(reprocess, "--pool") == "prefork"
    assert len({_option(cmd, "-n") for cmd in commands}) == 3  # distinct node names


def test_the_command_line_concurrency_sizes_the_processing_worker() -> None:
    commands = worker_commands(Settings(worker_concurrency=2), concurrency=5)
    process = next(c for c in commands if _option(c, "-Q") == routing.PROCESS_QUEUE)
    assert _option(process, "--concurrency") == "5"
