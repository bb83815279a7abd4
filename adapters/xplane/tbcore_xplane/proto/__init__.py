"""The XPlane protobuf messages (``xplane.proto``, generated into ``xplane_pb2``; regenerate
with ``python adapters/xplane/gen_proto.py``)."""
