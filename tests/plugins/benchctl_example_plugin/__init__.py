"""benchctl-example-plugin: a third-party package extending benchctl through its five entry-point
groups, as an installed distribution would (tests/test_plugins.py installs it on a temporary
sys.path as a real `*.dist-info`). Its entry points (the test writes them into entry_points.txt):

    [benchctl.models]      example = benchctl_example_plugin.models:register
    [benchctl.targets]     onnx-torchscript = benchctl_example_plugin.convert:TARGET
    [benchctl.runtimes]    onnx-reference = benchctl_example_plugin.runtime:RUNTIME
    [benchctl.backends]    onnx-reference = benchctl_example_plugin.backend:ENTRY
    [benchctl.transports]  tmpfs = benchctl_example_plugin.transport:KIND

One module per group, each light: the runner on a device imports only `backend.py` (and onnx
when it makes the backend), the converter imports torch when it converts, the model factory
when it builds.
"""
