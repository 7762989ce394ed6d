"""Sphinx extension: stop widget cells from stalling the book's notebook execution.

While it executes a notebook, nbclient imitates a browser for ipywidgets' Output widget: each
time such a widget captures output, it records the output in the widget state that the book
saves, and it also sends the new state back to the kernel as a ``comm_msg`` on the shell
socket. That send happens while another coroutine is waiting on the same socket for the
cell's ``execute_reply``; ZeroMQ's socket notification is edge-triggered, so the wait does not
wake up when the reply arrives and the cell sits idle until the execution timeout expires
(then the reply is found and execution goes on without an error). Every cell that shows an
``ipywidgets.interactive`` cost the full timeout.

A static book never needs the kernel to hear about captured outputs: the saved widget state
is updated separately. So the send becomes a no-op during the build. Live notebooks in
JupyterLab are unaffected.
"""

from __future__ import annotations

from nbclient.output_widget import OutputWidget


def _skip_sending_state_to_kernel(self, msg_type, data=None, metadata=None, buffers=None, **keys) -> None:
    """Replacement for ``OutputWidget._publish_msg``: keep the state locally, send nothing."""


def setup(app):
    OutputWidget._publish_msg = _skip_sending_state_to_kernel
    return {"parallel_read_safe": True, "parallel_write_safe": True}
