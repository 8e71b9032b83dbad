//go:build cuda

// See cudnn_dl.h. The pointer table is typed from cudnn.h's own prototypes (__typeof__), so a
// signature mismatch between a wrapper and cuDNN fails to compile.

#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>

#include "cudnn_dl.h"

#define CUDNN_SONAME "libcudnn.so.9"

#define CUDNN_FUNCS(X)                                                                             \
    X(cudnnGetVersion)                                                                             \
    X(cudnnGetCudartVersion)                                                                       \
    X(cudnnGetErrorString)                                                                         \
    X(cudnnGetLastErrorString)                                                                     \
    X(cudnnCreate)                                                                                 \
    X(cudnnDestroy)                                                                                \
    X(cudnnSetStream)                                                                              \
    X(cudnnCreateTensorDescriptor)                                                                 \
    X(cudnnSetTensor4dDescriptor)                                                                  \
    X(cudnnDestroyTensorDescriptor)                                                                \
    X(cudnnCreateFilterDescriptor)                                                                 \
    X(cudnnSetFilter4dDescriptor)                                                                  \
    X(cudnnDestroyFilterDescriptor)                                                                \
    X(cudnnCreateConvolutionDescriptor)                                                            \
    X(cudnnSetConvolution2dDescriptor)                                                             \
    X(cudnnSetConvolutionMathType)                                                                 \
    X(cudnnDestroyConvolutionDescriptor)                                                           \
    X(cudnnGetConvolution2dForwardOutputDim)                                                       \
    X(cudnnGetConvolutionForwardAlgorithmMaxCount)                                                 \
    X(cudnnGetConvolutionBackwardDataAlgorithmMaxCount)                                            \
    X(cudnnGetConvolutionBackwardFilterAlgorithmMaxCount)                                          \
    X(cudnnGetConvolutionForwardAlgorithm_v7)                                                      \
    X(cudnnGetConvolutionBackwardDataAlgorithm_v7)                                                 \
    X(cudnnGetConvolutionBackwardFilterAlgorithm_v7)                                               \
    X(cudnnFindConvolutionForwardAlgorithmEx)                                                      \
    X(cudnnFindConvolutionBackwardDataAlgorithmEx)                                                 \
    X(cudnnFindConvolutionBackwardFilterAlgorithmEx)                                               \
    X(cudnnGetConvolutionForwardWorkspaceSize)                                                     \
    X(cudnnGetConvolutionBackwardDataWorkspaceSize)                                                \
    X(cudnnGetConvolutionBackwardFilterWorkspaceSize)                                              \
    X(cudnnConvolutionForward)                                                                     \
    X(cudnnConvolutionBackwardData)                                                                \
    X(cudnnConvolutionBackwardFilter)                                                              \
    X(cudnnDeriveBNTensorDescriptor)                                                               \
    X(cudnnBatchNormalizationForwardTraining)                                                      \
    X(cudnnBatchNormalizationForwardInference)                                                     \
    X(cudnnBatchNormalizationBackward)

#define DECLARE(name) static __typeof__(&name) p_##name;
CUDNN_FUNCS(DECLARE)

int dl_cudnn_open(char *err, size_t errlen) {
    void *lib = dlopen(CUDNN_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL) {
        snprintf(err, errlen, "%s", dlerror());
        return -1;
    }
#define LOAD(name)                                                                                 \
    p_##name = (__typeof__(p_##name))dlsym(lib, #name);                                            \
    if (p_##name == NULL) {                                                                        \
        snprintf(err, errlen, "%s has no %s", CUDNN_SONAME, #name);                                \
        return -1;                                                                                 \
    }
    CUDNN_FUNCS(LOAD)
    // The library stays loaded for the life of the process.
    return 0;
}

// D turns a CUdeviceptr into the void* cuDNN takes.
#define D(p) ((void *)(uintptr_t)(p))

// CALL returns CUDNN_STATUS_NOT_INITIALIZED when dl_cudnn_open has not succeeded.
#define CALL(name, ...) (p_##name ? p_##name(__VA_ARGS__) : CUDNN_STATUS_NOT_INITIALIZED)

size_t dl_cudnnGetVersion(void) { return p_cudnnGetVersion ? p_cudnnGetVersion() : 0; }

size_t dl_cudnnGetCudartVersion(void) {
    return p_cudnnGetCudartVersion ? p_cudnnGetCudartVersion() : 0;
}

const char *dl_cudnnGetErrorString(cudnnStatus_t s) {
    return p_cudnnGetErrorString ? p_cudnnGetErrorString(s) : NULL;
}

void dl_cudnnGetLastErrorString(char *message, size_t max) {
    if (max > 0) message[0] = 0;
    if (p_cudnnGetLastErrorString) p_cudnnGetLastErrorString(message, max);
}

cudnnStatus_t dl_cudnnCreate(cudnnHandle_t *h) { return CALL(cudnnCreate, h); }
cudnnStatus_t dl_cudnnDestroy(cudnnHandle_t h) { return CALL(cudnnDestroy, h); }
cudnnStatus_t dl_cudnnSetStream(cudnnHandle_t h, CUstream s) {
    return CALL(cudnnSetStream, h, (cudaStream_t)s);
}

cudnnStatus_t dl_cudnnCreateTensorDescriptor(cudnnTensorDescriptor_t *d) {
    return CALL(cudnnCreateTensorDescriptor, d);
}
cudnnStatus_t dl_cudnnSetTensor4dDescriptor(cudnnTensorDescriptor_t d, int n, int c, int h,
                                            int w) {
    return CALL(cudnnSetTensor4dDescriptor, d, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, n, c, h, w);
}
cudnnStatus_t dl_cudnnDestroyTensorDescriptor(cudnnTensorDescriptor_t d) {
    return CALL(cudnnDestroyTensorDescriptor, d);
}
cudnnStatus_t dl_cudnnCreateFilterDescriptor(cudnnFilterDescriptor_t *d) {
    return CALL(cudnnCreateFilterDescriptor, d);
}
cudnnStatus_t dl_cudnnSetFilter4dDescriptor(cudnnFilterDescriptor_t d, int k, int c, int h,
                                            int w) {
    return CALL(cudnnSetFilter4dDescriptor, d, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NCHW, k, c, h, w);
}
cudnnStatus_t dl_cudnnDestroyFilterDescriptor(cudnnFilterDescriptor_t d) {
    return CALL(cudnnDestroyFilterDescriptor, d);
}
cudnnStatus_t dl_cudnnCreateConvolutionDescriptor(cudnnConvolutionDescriptor_t *d) {
    return CALL(cudnnCreateConvolutionDescriptor, d);
}
cudnnStatus_t dl_cudnnSetConvolution2dDescriptor(cudnnConvolutionDescriptor_t d, int pad,
                                                 int stride) {
    return CALL(cudnnSetConvolution2dDescriptor, d, pad, pad, stride, stride, 1, 1,
                CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT);
}
cudnnStatus_t dl_cudnnSetConvolutionMathType(cudnnConvolutionDescriptor_t d, cudnnMathType_t m) {
    return CALL(cudnnSetConvolutionMathType, d, m);
}
cudnnStatus_t dl_cudnnDestroyConvolutionDescriptor(cudnnConvolutionDescriptor_t d) {
    return CALL(cudnnDestroyConvolutionDescriptor, d);
}
cudnnStatus_t dl_cudnnGetConvolution2dForwardOutputDim(cudnnConvolutionDescriptor_t conv,
                                                       cudnnTensorDescriptor_t x,
                                                       cudnnFilterDescriptor_t w, int *n, int *c,
                                                       int *h, int *wd) {
    return CALL(cudnnGetConvolution2dForwardOutputDim, conv, x, w, n, c, h, wd);
}

cudnnStatus_t dl_cudnnGetConvolutionForwardAlgorithmMaxCount(cudnnHandle_t h, int *count) {
    return CALL(cudnnGetConvolutionForwardAlgorithmMaxCount, h, count);
}
cudnnStatus_t dl_cudnnGetConvolutionBackwardDataAlgorithmMaxCount(cudnnHandle_t h, int *count) {
    return CALL(cudnnGetConvolutionBackwardDataAlgorithmMaxCount, h, count);
}
cudnnStatus_t dl_cudnnGetConvolutionBackwardFilterAlgorithmMaxCount(cudnnHandle_t h, int *count) {
    return CALL(cudnnGetConvolutionBackwardFilterAlgorithmMaxCount, h, count);
}

cudnnStatus_t dl_cudnnGetConvolutionForwardAlgorithm_v7(cudnnHandle_t h, cudnnTensorDescriptor_t x,
                                                        cudnnFilterDescriptor_t w,
                                                        cudnnConvolutionDescriptor_t conv,
                                                        cudnnTensorDescriptor_t y, int max,
                                                        int *got,
                                                        cudnnConvolutionFwdAlgoPerf_t *perf) {
    return CALL(cudnnGetConvolutionForwardAlgorithm_v7, h, x, w, conv, y, max, got, perf);
}
cudnnStatus_t dl_cudnnGetConvolutionBackwardDataAlgorithm_v7(
    cudnnHandle_t h, cudnnFilterDescriptor_t w, cudnnTensorDescriptor_t dy,
    cudnnConvolutionDescriptor_t conv, cudnnTensorDescriptor_t dx, int max, int *got,
    cudnnConvolutionBwdDataAlgoPerf_t *perf) {
    return CALL(cudnnGetConvolutionBackwardDataAlgorithm_v7, h, w, dy, conv, dx, max, got, perf);
}
cudnnStatus_t dl_cudnnGetConvolutionBackwardFilterAlgorithm_v7(
    cudnnHandle_t h, cudnnTensorDescriptor_t x, cudnnTensorDescriptor_t dy,
    cudnnConvolutionDescriptor_t conv, cudnnFilterDescriptor_t dw, int max, int *got,
    cudnnConvolutionBwdFilterAlgoPerf_t *perf) {
    return CALL(cudnnGetConvolutionBackwardFilterAlgorithm_v7, h, x, dy, conv, dw, max, got, perf);
}

cudnnStatus_t dl_cudnnFindConvolutionForwardAlgorithmEx(
    cudnnHandle_t h, cudnnTensorDescriptor_t xd, CUdeviceptr x, cudnnFilterDescriptor_t wd,
    CUdeviceptr w, cudnnConvolutionDescriptor_t conv, cudnnTensorDescriptor_t yd, CUdeviceptr y,
    int max, int *got, cudnnConvolutionFwdAlgoPerf_t *perf, CUdeviceptr ws, size_t wsBytes) {
    return CALL(cudnnFindConvolutionForwardAlgorithmEx, h, xd, D(x), wd, D(w), conv, yd, D(y),
                max, got, perf, D(ws), wsBytes);
}
cudnnStatus_t dl_cudnnFindConvolutionBackwardDataAlgorithmEx(
    cudnnHandle_t h, cudnnFilterDescriptor_t wd, CUdeviceptr w, cudnnTensorDescriptor_t dyd,
    CUdeviceptr dy, cudnnConvolutionDescriptor_t conv, cudnnTensorDescriptor_t dxd,
    CUdeviceptr dx, int max, int *got, cudnnConvolutionBwdDataAlgoPerf_t *perf, CUdeviceptr ws,
    size_t wsBytes) {
    return CALL(cudnnFindConvolutionBackwardDataAlgorithmEx, h, wd, D(w), dyd, D(dy), conv, dxd,
                D(dx), max, got, perf, D(ws), wsBytes);
}
cudnnStatus_t dl_cudnnFindConvolutionBackwardFilterAlgorithmEx(
    cudnnHandle_t h, cudnnTensorDescriptor_t xd, CUdeviceptr x, cudnnTensorDescriptor_t dyd,
    CUdeviceptr dy, cudnnConvolutionDescriptor_t conv, cudnnFilterDescriptor_t dwd,
    CUdeviceptr dw, int max, int *got, cudnnConvolutionBwdFilterAlgoPerf_t *perf, CUdeviceptr ws,
    size_t wsBytes) {
    return CALL(cudnnFindConvolutionBackwardFilterAlgorithmEx, h, xd, D(x), dyd, D(dy), conv, dwd,
                D(dw), max, got, perf, D(ws), wsBytes);
}

cudnnStatus_t dl_cudnnGetConvolutionForwardWorkspaceSize(cudnnHandle_t h,
                                                         cudnnTensorDescriptor_t x,
                                                         cudnnFilterDescriptor_t w,
                                                         cudnnConvolutionDescriptor_t conv,
                                                         cudnnTensorDescriptor_t y,
                                                         cudnnConvolutionFwdAlgo_t algo,
                                                         size_t *bytes) {
    return CALL(cudnnGetConvolutionForwardWorkspaceSize, h, x, w, conv, y, algo, bytes);
}
cudnnStatus_t dl_cudnnGetConvolutionBackwardDataWorkspaceSize(cudnnHandle_t h,
                                                              cudnnFilterDescriptor_t w,
                                                              cudnnTensorDescriptor_t dy,
                                                              cudnnConvolutionDescriptor_t conv,
                                                              cudnnTensorDescriptor_t dx,
                                                              cudnnConvolutionBwdDataAlgo_t algo,
                                                              size_t *bytes) {
    return CALL(cudnnGetConvolutionBackwardDataWorkspaceSize, h, w, dy, conv, dx, algo, bytes);
}
cudnnStatus_t dl_cudnnGetConvolutionBackwardFilterWorkspaceSize(
    cudnnHandle_t h, cudnnTensorDescriptor_t x, cudnnTensorDescriptor_t dy,
    cudnnConvolutionDescriptor_t conv, cudnnFilterDescriptor_t dw,
    cudnnConvolutionBwdFilterAlgo_t algo, size_t *bytes) {
    return CALL(cudnnGetConvolutionBackwardFilterWorkspaceSize, h, x, dy, conv, dw, algo, bytes);
}

cudnnStatus_t dl_cudnnConvolutionForward(cudnnHandle_t h, float alpha, cudnnTensorDescriptor_t xd,
                                         CUdeviceptr x, cudnnFilterDescriptor_t wd, CUdeviceptr w,
                                         cudnnConvolutionDescriptor_t conv,
                                         cudnnConvolutionFwdAlgo_t algo, CUdeviceptr ws,
                                         size_t wsBytes, float beta, cudnnTensorDescriptor_t yd,
                                         CUdeviceptr y) {
    return CALL(cudnnConvolutionForward, h, &alpha, xd, D(x), wd, D(w), conv, algo, D(ws),
                wsBytes, &beta, yd, D(y));
}
cudnnStatus_t dl_cudnnConvolutionBackwardData(cudnnHandle_t h, float alpha,
                                              cudnnFilterDescriptor_t wd, CUdeviceptr w,
                                              cudnnTensorDescriptor_t dyd, CUdeviceptr dy,
                                              cudnnConvolutionDescriptor_t conv,
                                              cudnnConvolutionBwdDataAlgo_t algo, CUdeviceptr ws,
                                              size_t wsBytes, float beta,
                                              cudnnTensorDescriptor_t dxd, CUdeviceptr dx) {
    return CALL(cudnnConvolutionBackwardData, h, &alpha, wd, D(w), dyd, D(dy), conv, algo, D(ws),
                wsBytes, &beta, dxd, D(dx));
}
cudnnStatus_t dl_cudnnConvolutionBackwardFilter(cudnnHandle_t h, float alpha,
                                                cudnnTensorDescriptor_t xd, CUdeviceptr x,
                                                cudnnTensorDescriptor_t dyd, CUdeviceptr dy,
                                                cudnnConvolutionDescriptor_t conv,
                                                cudnnConvolutionBwdFilterAlgo_t algo,
                                                CUdeviceptr ws, size_t wsBytes, float beta,
                                                cudnnFilterDescriptor_t dwd, CUdeviceptr dw) {
    return CALL(cudnnConvolutionBackwardFilter, h, &alpha, xd, D(x), dyd, D(dy), conv, algo,
                D(ws), wsBytes, &beta, dwd, D(dw));
}

cudnnStatus_t dl_cudnnDeriveBNTensorDescriptor(cudnnTensorDescriptor_t bn,
                                               cudnnTensorDescriptor_t x) {
    return CALL(cudnnDeriveBNTensorDescriptor, bn, x, CUDNN_BATCHNORM_SPATIAL);
}

cudnnStatus_t dl_cudnnBatchNormalizationForwardTraining(
    cudnnHandle_t h, cudnnTensorDescriptor_t xd, CUdeviceptr x, CUdeviceptr y,
    cudnnTensorDescriptor_t bnd, CUdeviceptr scale, CUdeviceptr bias, double factor,
    CUdeviceptr runMean, CUdeviceptr runVar, double eps, CUdeviceptr saveMean,
    CUdeviceptr saveInvStd) {
    float one = 1, zero = 0;
    return CALL(cudnnBatchNormalizationForwardTraining, h, CUDNN_BATCHNORM_SPATIAL, &one, &zero,
                xd, D(x), xd, D(y), bnd, D(scale), D(bias), factor, D(runMean), D(runVar), eps,
                D(saveMean), D(saveInvStd));
}
cudnnStatus_t dl_cudnnBatchNormalizationForwardInference(
    cudnnHandle_t h, cudnnTensorDescriptor_t xd, CUdeviceptr x, CUdeviceptr y,
    cudnnTensorDescriptor_t bnd, CUdeviceptr scale, CUdeviceptr bias, CUdeviceptr mean,
    CUdeviceptr var, double eps) {
    float one = 1, zero = 0;
    return CALL(cudnnBatchNormalizationForwardInference, h, CUDNN_BATCHNORM_SPATIAL, &one, &zero,
                xd, D(x), xd, D(y), bnd, D(scale), D(bias), D(mean), D(var), eps);
}
cudnnStatus_t dl_cudnnBatchNormalizationBackward(cudnnHandle_t h, cudnnTensorDescriptor_t xd,
                                                 CUdeviceptr x, CUdeviceptr dy, CUdeviceptr dx,
                                                 cudnnTensorDescriptor_t bnd, CUdeviceptr scale,
                                                 float betaParam, CUdeviceptr dScale,
                                                 CUdeviceptr dBias, double eps,
                                                 CUdeviceptr saveMean, CUdeviceptr saveInvStd) {
    float one = 1, zero = 0;
    return CALL(cudnnBatchNormalizationBackward, h, CUDNN_BATCHNORM_SPATIAL, &one, &zero, &one,
                &betaParam, xd, D(x), xd, D(dy), xd, D(dx), bnd, D(scale), D(dScale), D(dBias),
                eps, D(saveMean), D(saveInvStd));
}
