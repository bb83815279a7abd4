"""Reading event files: framing and CRCs, the record scanner, storage backends, tensors."""
