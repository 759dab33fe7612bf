#!/usr/bin/python3
"""PyTorch twin of `trop-train` for bench/fashion.sh: the same network
(784-256-256-10 ReLU, linear output, softmax cross-entropy), the same data
preparation (standardised with the training set's mean and population
deviation, 1 for a constant pixel), Adam at lr 1e-3, the same batch size
and thread count; the epoch time counts the shuffle, the gathers, forward,
backward and the optimiser step, as trop-train's does.  Prints one JSON
line: the epoch times and the test accuracy.
Usage: torch_mlp.py DIR EPOCHS BATCH THREADS float32|float64"""
import gzip, json, struct, sys, time
import numpy as np
import torch

def idx(path):
    with gzip.open(path, 'rb') as f:
        data = f.read()
    magic, n = struct.unpack('>II', data[:8])
    if magic == 0x803:
        r, c = struct.unpack('>II', data[8:16])
        return np.frombuffer(data, np.uint8, offset=16).reshape(n, r * c).astype(np.float64)
    return np.frombuffer(data, np.uint8, offset=8).astype(np.int64)

def main():
    d, epochs, batch, threads, dt = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), \
        int(sys.argv[4]), sys.argv[5]
    torch.set_num_threads(threads)
    dtype = torch.float64 if dt == 'float64' else torch.float32
    X = idx(d + '/train-images-idx3-ubyte.gz'); y = idx(d + '/train-labels-idx1-ubyte.gz')
    Xt = idx(d + '/t10k-images-idx3-ubyte.gz'); yt = idx(d + '/t10k-labels-idx1-ubyte.gz')
    mean = X.mean(0); sd = X.std(0); sd[sd == 0] = 1
    X = torch.tensor((X - mean) / sd, dtype=dtype); Xt = torch.tensor((Xt - mean) / sd, dtype=dtype)
    y = torch.tensor(y); yt = torch.tensor(yt)
    torch.manual_seed(1)
    m = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(),
                            torch.nn.Linear(256, 256), torch.nn.ReLU(),
                            torch.nn.Linear(256, 10)).to(dtype)
    opt = torch.optim.Adam(m.parameters(), lr=1e-3)
    n = X.shape[0]; times = []
    for _ in range(epochs):
        t0 = time.perf_counter()
        perm = torch.randperm(n)
        for i in range(0, n, batch):
            idxs = perm[i:i + batch]
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(m(X[idxs]), y[idxs])
            loss.backward()
            opt.step()
        times.append(time.perf_counter() - t0)
    with torch.no_grad():
        acc = (m(Xt).argmax(1) == yt).double().mean().item()
    print(json.dumps({'epoch_seconds': times, 'test_accuracy': acc, 'torch': torch.__version__}))

main()
