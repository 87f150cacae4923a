"""What every stack service process shares: serving an aiohttp app until it is told to stop, and
coroutines started without awaiting them. No heavy imports: the studio starts without boto3.
"""
import asyncio
import signal
import traceback

from aiohttp import web

# A stopping service lets requests in flight finish for this long.
SHUTDOWN_GRACE_S = 1.0


def serve(app, port):
    """Runs `app` on 127.0.0.1:`port` until SIGTERM or SIGINT, then runs its cleanup hooks."""
    asyncio.run(_serve(app, port))


async def _serve(app, port):
    runner = web.AppRunner(app, shutdown_timeout=SHUTDOWN_GRACE_S, access_log=None)
    await runner.setup()
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)
    try:
        await web.TCPSite(runner, "127.0.0.1", port).start()
        print(f"listening on 127.0.0.1:{port}", flush=True)
        await stopping.wait()
    finally:
        await runner.cleanup()


class Background:
    """asyncio keeps only weak references to tasks, so an unreferenced one can vanish mid-flight;
    these are held until done, and a crash is printed instead of passing unnoticed."""

    def __init__(self):
        self._tasks = set()

    def start(self, coroutine):
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def _done(self, task):
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            traceback.print_exception(task.exception())

    def cancel(self):
        """Cancels every task still running; how many there were."""
        running = [task for task in self._tasks if not task.done()]
        for task in running:
            task.cancel()
        return len(running)
