"""The `gradlive` command: `serve` the playground, `train` in the terminal, or be a
`worker` that trains the jobs of the distributed mode."""

import argparse
import json
import math
import sys
from collections.abc import Sequence
from typing import Any

from app.jobs.spec import DataSplit, JobSpec
from app.nn import activations, datasets, model, optimizers
from app.nn.trainer import Trainer

_SPEC = JobSpec()  # the lecture's run: every option's default

PROGRESS_EVERY = 100  # iterations per progress-bar update: a tqdm call per step costs more


def _train(args: argparse.Namespace) -> int:
    """Train the configured network with a progress bar on stderr; print the result."""
    # The same spec, data and config as a server job, so both train the same run.
    spec = JobSpec(
        dataset=args.dataset,
        n_samples=args.n_samples,
        noise=args.noise,
        data_seed=args.data_seed,
        test_fraction=args.test_fraction,
        hidden_layers=tuple(args.hidden),
        activation=args.activation,
        init=args.init,
        learning_rate=args.lr,
        iterations=args.iterations,
        seed=args.seed,
        optimizer=args.optimizer,
        batch_size=args.batch_size,
        l2=args.l2,
    ).resolved()
    data = DataSplit.make(spec)
    X, Y, X_test, Y_test = data.X_train, data.Y_train, data.X_test, data.Y_test
    held_out = "test split"
    if X_test.shape[1] == 0:
        # All points train, as in the lecture; test on a fresh draw of the same data.
        fresh_seed = spec.data_seed + 1
        X_test, Y_test = datasets.make(spec.dataset, spec.n_samples, spec.noise, fresh_seed)
        held_out = "fresh sample"
    config = spec.train_config()
    trainer = Trainer(config, X, Y, X_test, Y_test)
    cost = float("nan")
    from tqdm import tqdm  # only the terminal needs it

    with tqdm(total=config.iterations, file=sys.stderr, unit="it") as bar:
        for step in trainer.steps():
            cost = step.cost
            if (step.iteration + 1) % PROGRESS_EVERY == 0:
                bar.update(PROGRESS_EVERY)
                bar.set_postfix(cost=f"{cost:.4g}", refresh=False)
        bar.update(trainer.iteration - bar.n)
    metrics = trainer.metrics()
    result = {
        "status": trainer.stop_reason,
        "detail": trainer.detail,
        "iterations": trainer.iteration,
        "final_cost": cost,
        "train_accuracy": metrics.train_accuracy,
        "test_accuracy": metrics.test_accuracy,
        "test_cost": metrics.test_cost,
        "test_set": held_out,
        "layer_dims": list(config.layer_dims),
    }
    if args.json:
        print(json.dumps(strict_json(result), allow_nan=False))
    else:
        print(f"{trainer.detail}")
        print(f"final cost      {cost:.6f}")
        print(f"train accuracy  {100 * (metrics.train_accuracy or 0):.2f}%")
        print(f"test accuracy   {100 * (metrics.test_accuracy or 0):.2f}%  ({held_out})")
    return 0 if trainer.stop_reason == "done" else 1


def strict_json(value: Any) -> Any:
    """`value` with every NaN or infinity as None: JSON has no such numbers (null instead)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: strict_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [strict_json(item) for item in value]
    return value


def _serve(args: argparse.Namespace) -> int:
    """Serve the playground with uvicorn; host and port default to the settings."""
    import uvicorn

    from app.config import Settings
    from app.main import create_app
    from app.server import GracefulServer, QuietWebSocketProtocol

    settings = Settings() if args.workers is None else Settings(WORKERS=args.workers)
    if settings.BROKER_URL:
        from app.jobs.broker import check_reachable

        check_reachable(settings.BROKER_URL)
    app = create_app(settings)
    config = uvicorn.Config(
        app,
        host=settings.HOST if args.host is None else args.host,
        port=settings.PORT if args.port is None else args.port,
        ws=QuietWebSocketProtocol,
        # Room above the app's own limit, so an oversized command gets an `error`
        # reply from the app; only a frame 4x larger makes uvicorn close with 1009.
        ws_max_size=4 * settings.MAX_REQUEST_BYTES,
        timeout_graceful_shutdown=3,
        ws_per_message_deflate=settings.WS_COMPRESSION,
    )
    GracefulServer(config, app).run()
    return 0


def _worker(args: argparse.Namespace) -> int:
    """Train the jobs queued through GRADLIVE_BROKER_URL until stopped (SIGTERM, Ctrl+C)."""
    import logging

    from app.config import Settings
    from app.jobs.broker import check_reachable
    from app.jobs.brokerworker import BrokerWorker

    settings = Settings()
    if not settings.BROKER_URL:
        raise ValueError("a worker needs GRADLIVE_BROKER_URL, e.g. redis://127.0.0.1:6379/0")
    check_reachable(settings.BROKER_URL)
    logging.basicConfig(format="%(levelname)s: [worker %(process)d] %(name)s: %(message)s")
    jobs = settings.WORKER_JOBS if args.jobs is None else args.jobs
    BrokerWorker(settings.BROKER_URL, jobs, args.name).run()
    return 0


def _whole_number(text: str, least: int = 0) -> int:
    value = int(text)
    if value < least:
        raise argparse.ArgumentTypeError(f"must be a whole number >= {least}, got {text}")
    return value


def _positive_int(text: str) -> int:
    return _whole_number(text, 1)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gradlive", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve the live playground")
    serve.add_argument(
        "--host", default=None, help="address to listen on (default 127.0.0.1, or GRADLIVE_HOST)"
    )
    serve.add_argument(
        "--port", type=int, default=None, help="port to listen on (default 8000, or GRADLIVE_PORT)"
    )
    serve.add_argument(
        "--workers",
        type=_whole_number,
        default=None,
        help="worker processes that train the jobs (default: the machine's cores, or "
        "GRADLIVE_WORKERS); 0: train in the server's own process",
    )
    serve.set_defaults(run=_serve)

    worker = commands.add_parser(
        "worker", help="train the jobs of the distributed mode (needs GRADLIVE_BROKER_URL)"
    )
    worker.add_argument(
        "--jobs",
        type=_positive_int,
        default=None,
        help="jobs trained at once (default 16, or GRADLIVE_WORKER_JOBS)",
    )
    worker.add_argument("--name", default=None, help="this worker's name (default: host-random)")
    worker.set_defaults(run=_worker)

    train = commands.add_parser("train", help="train in the terminal (defaults: the lecture's run)")
    train.add_argument("--dataset", default=_SPEC.dataset, choices=datasets.NAMES)
    train.add_argument("--n-samples", type=_positive_int, default=None)
    train.add_argument("--noise", type=float, default=None)
    train.add_argument("--data-seed", type=int, default=None)
    train.add_argument("--test-fraction", type=float, default=_SPEC.test_fraction)
    train.add_argument(
        "--hidden",
        type=_positive_int,
        nargs="*",
        default=list(_SPEC.hidden_layers),
        help="units per hidden layer, e.g. --hidden 8 4; no value: no hidden layer",
    )
    train.add_argument(
        "--no-hidden",
        dest="hidden",
        action="store_const",
        const=[],
        help="no hidden layer: the course's logistic-regression baseline",
    )
    train.add_argument(
        "--activation", default=_SPEC.activation, choices=sorted(activations.ACTIVATIONS)
    )
    train.add_argument("--init", default=_SPEC.init, choices=model.INITS)
    train.add_argument("--lr", type=float, default=_SPEC.learning_rate, help="learning rate alpha")
    train.add_argument("--optimizer", default=_SPEC.optimizer, choices=list(optimizers.OPTIMIZERS))
    train.add_argument("--batch-size", type=_positive_int, default=_SPEC.batch_size)
    train.add_argument("--l2", type=float, default=_SPEC.l2)
    train.add_argument("--iterations", type=int, default=_SPEC.iterations)
    train.add_argument(
        "--seed", type=int, default=_SPEC.seed, help="seed of the initial parameters"
    )
    train.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    train.set_defaults(run=_train)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except ValueError as error:
        parser.error(str(error))  # exits with status 2 and the message on stderr
        return 2
