#!/usr/bin/env python3
"""Writes the NumPy, safetensors and pandas fixtures the DataFormats tests read.

Run from this folder (needs numpy, safetensors, pandas). The expected values are the arrays
below; the tests restate them.
"""
import numpy as np
import pandas as pd
from safetensors.numpy import save_file

base = np.array([[1.5, -2.25, 3.0], [0.125, 1e-3, -7.0]])
np.save("float32_c.npy", base.astype("<f4"))
np.save("float64_fortran.npy", np.asfortranarray(base.astype("<f8")))
np.save("float32_bigendian.npy", base.astype(">f4"))
np.save("float16.npy", base.astype("<f2"))
ints = np.array([[0, 1, -2], [127, -128, 5]])
for code in ["i1", "<i2", ">i4", "<i8"]:
    np.save(f"int_{code.strip('<>')}{'_be' if code.startswith('>') else ''}.npy", ints.astype(code))
np.save("uint8.npy", np.array([[0, 255, 7], [1, 2, 3]], dtype="u1"))
np.save("uint64.npy", np.array([[0, 1, 2], [3, 4, 2**40]], dtype="<u8"))
np.save("bool.npy", np.array([[True, False, True], [False, False, True]]))
np.save("labels_int64.npy", np.array([3, 1, 4, 1, 5, 9, 2, 6], dtype="<i8"))
np.save("rank3.npy", np.arange(24, dtype="<f4").reshape(2, 3, 4))
np.save("rank3_fortran.npy", np.asfortranarray(np.arange(24, dtype="<f8").reshape(2, 3, 4)))
with open("version2.npy", "wb") as f:
    np.lib.format.write_array(f, base.astype("<f4"), version=(2, 0))
with open("version3.npy", "wb") as f:
    np.lib.format.write_array(f, base.astype("<f4"), version=(3, 0))
np.savez("stored.npz", samples=base.astype("<f4"), labels=np.array([0, 1], dtype="<i8"))
np.savez_compressed("deflated.npz", x=base.astype("<f8"), y=np.array([1, 0], dtype="<i4"))
save_file({"encoder.0.weight": base.astype("<f4"), "encoder.0.bias": np.array([0.5, -0.5], dtype="<f4"),
           "count": np.array([7], dtype="<i8")},
          "python.safetensors", metadata={"format_version": "1", "method": "test"})
pd.DataFrame({"width": [1.0, 2.5, -3.0], "height": [4.0, 5.0, 6.25], "species": ["setosa", "virginica, wild", "setosa"]}) \
    .to_csv("pandas.csv", index=False)
