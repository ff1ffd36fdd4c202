"""moto's server as the box's upstream: `python -m tests.aws.glue_box.moto_server
-H 127.0.0.1 -p PORT`, started with MOTO_PORT set to the box's port, so that the Step
Functions interpreter's Glue and Athena calls reach the box."""

import sys
from collections.abc import Callable
from typing import Any

from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
    state_task_service_glue,
)
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.resource import (
    ResourceCondition,
)


def let_glue_sync_finish(setattr_: Callable[[Any, str, Any], None] = setattr) -> None:
    """moto 5.2.5 fails every `.sync` task of a service without a callback pattern: after
    polling GetJobRun to the end it calls interrupt_all() on a callback endpoint it only
    creates for services that support .waitForTaskToken (the same fault LocalStack, whence
    moto's interpreter comes, has a fix proposed for). Declaring that pattern for Glue makes
    moto create the endpoint; the polling, retries and errors remain moto's own."""
    cls = state_task_service_glue.StateTaskServiceGlue
    original = cls.__init__

    def init(self):
        original(self)
        self._supported_integration_patterns = {
            *self._supported_integration_patterns,
            ResourceCondition.WaitForTaskToken,
        }

    setattr_(cls, "__init__", init)


if __name__ == "__main__":
    from moto.server import main

    let_glue_sync_finish()
    sys.exit(main(sys.argv[1:]))
