# dcgan-gpu with CUDA: built on NVIDIA's CUDA 12.9 + cuDNN 9 development image, shipped on the
# matching runtime image. The build step is the one CI checks without a GPU (make build-cuda:
# kernels/build.sh, then go build -tags cuda), here against the image's toolkit instead of
# the SDK from wheels.
#
#   docker build -t dcgan-gpu .
#   docker run --rm --gpus all dcgan-gpu info
#   docker run --rm --gpus all -v "$PWD/out:/out" dcgan-gpu train --device cuda --out /out
#
# The host needs an NVIDIA driver for CUDA 12.9 or newer and the NVIDIA Container Toolkit;
# the container brings CUDA, cuDNN and OpenBLAS. CUDA 12, not 13: gorgonia.org/cu v0.9.6
# needs CUDA 12's cuda.h (CUDA 13's maps cuCtxCreate to a 4-argument call).
ARG CUDA_VERSION=12.9.1
ARG UBUNTU=ubuntu22.04

FROM golang:1.26-bookworm AS go

FROM nvidia/cuda:${CUDA_VERSION}-cudnn-devel-${UBUNTU} AS build
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates git make g++ libopenblas-dev \
    && rm -rf /var/lib/apt/lists/*
COPY --from=go /usr/local/go /usr/local/go
ENV PATH=/usr/local/go/bin:$PATH \
    CUDA_HOME=/usr/local/cuda \
    GOFLAGS=-buildvcs=false
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN make build-cuda CUDA_HOME=/usr/local/cuda

FROM nvidia/cuda:${CUDA_VERSION}-cudnn-runtime-${UBUNTU}
RUN apt-get update \
    && apt-get install -y --no-install-recommends libopenblas0 \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/bin/cuda/dcgan-gpu /usr/local/bin/dcgan-gpu
ENTRYPOINT ["dcgan-gpu"]
CMD ["info"]
