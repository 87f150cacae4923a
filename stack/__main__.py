"""python -m stack up | down | status | serve | sweep

`serve` runs the stack in the foreground until Ctrl-C (what `make stack` uses); `up` starts it
in the background and returns once every service answers; `down` stops a running stack;
`sweep` removes what killed runs left behind.
"""
import argparse
import json
import os
import subprocess
import sys
import time

from stack import areas as stack_areas
from stack import supervisor
from stack.faults import UnknownFault

DEFAULT_STATE = os.path.join(".stack", "state.json")


def read_state(path):
    try:
        with open(path) as handle:
            state = json.load(handle)
    except (OSError, ValueError):
        return None
    return state if supervisor.pid_alive(state.get("pid", -1)) else None


def describe(state):
    endpoints = ", ".join(f"{name}={url}" for name, url in state["endpoints"].items())
    faults = ", ".join(state["faults"]) or "none"
    return (f"stack up in {state['start_seconds']:.2f} s (pid {state['pid']}) with areas {', '.join(state['areas'])}: "
            f"{endpoints}; faults: {faults}")


def serve(args):
    try:
        fault_names = supervisor.parse_faults(os.environ.get("STACK_FAULTS", ""))
        areas = stack_areas.parse(args.areas)
    except (UnknownFault, stack_areas.UnknownArea) as error:
        print(f"stack: {error}", file=sys.stderr)
        return 2
    if read_state(args.state):
        print(f"stack: a stack is already running (state file {args.state}); stop it with `python -m stack down`",
              file=sys.stderr)
        return 2
    stack = supervisor.Stack(args.state, areas, fault_names, args.idle_timeout, args.max_edit_tasks)
    supervisor.install_signal_handlers(stack)
    try:
        state = stack.start()
        print(describe(state), flush=True)
        print(f"runtime directory: {state['runtime_dir']}; Ctrl-C stops everything", flush=True)
        reason = stack.watch()
        if reason:
            print(f"stack: {reason}; stopping\n{stack.log_tail()}", file=sys.stderr, flush=True)
            return 1
        return 0
    except Exception as error:  # noqa: BLE001 - any start failure must still take everything down
        print(f"stack: failed to start: {error}\n{stack.log_tail()}", file=sys.stderr, flush=True)
        return 1
    finally:
        stack.stop()


def up(args):
    if read_state(args.state):
        print(f"stack: already running (state file {args.state})")
        return 0
    command = [sys.executable, "-m", "stack", "serve", "--state", args.state, "--areas", args.areas,
               "--idle-timeout", str(args.idle_timeout), "--max-edit-tasks", str(args.max_edit_tasks)]
    log_path = os.path.join(os.path.dirname(os.path.abspath(args.state)), "stack.log")
    os.makedirs(os.path.dirname(log_path), exist_ok=True)
    with open(log_path, "ab") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   start_new_session=True)
    deadline = time.monotonic() + supervisor.READY_WITHIN_S + 5
    while time.monotonic() < deadline:
        state = read_state(args.state)
        if state and state["pid"] == process.pid:
            print(describe(state))
            return 0
        if process.poll() is not None:
            break
        time.sleep(0.02)
    print(f"stack: did not start; see {log_path}", file=sys.stderr)
    return 1


def down(args):
    state = read_state(args.state)
    if not state:
        print("stack: not running")
        supervisor.sweep_runtime_dirs()
        return 0
    os.kill(state["pid"], 15)
    deadline = time.monotonic() + 10
    while supervisor.pid_alive(state["pid"]) and time.monotonic() < deadline:
        time.sleep(0.02)
    if supervisor.pid_alive(state["pid"]):
        print(f"stack: supervisor {state['pid']} did not stop within 10 s", file=sys.stderr)
        return 1
    print("stack: stopped")
    return 0


def status(args):
    state = read_state(args.state)
    if not state:
        print("stack: not running")
        return 3
    print(describe(state))
    return 0


def sweep(args):
    removed = supervisor.sweep_runtime_dirs()
    if os.path.exists(args.state) and not read_state(args.state):
        os.remove(args.state)
        removed.append(args.state)
    print(f"stack: swept {len(removed)} leftover(s)" + "".join(f"\n  {path}" for path in removed))
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m stack", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["up", "down", "status", "serve", "sweep"])
    parser.add_argument("--state", default=os.environ.get("STACK_STATE", DEFAULT_STATE))
    parser.add_argument("--idle-timeout", type=float, default=2.0, help="seconds before an idle session expires")
    parser.add_argument("--max-edit-tasks", type=int, default=3)
    parser.add_argument("--areas", default="", help="comma-separated areas to start (default: all of them)")
    args = parser.parse_args(argv)
    return {"up": up, "down": down, "status": status, "serve": serve, "sweep": sweep}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
