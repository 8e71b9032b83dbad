// The cuDNN functions this package calls, reached through dlopen so that a missing or old
// cuDNN is an error from us rather than from the dynamic loader at start-up. Each dl_<name>
// calls cuDNN's <name>; device pointers travel as CUdeviceptr integers, and alpha/beta
// blending factors by value.
#ifndef DCGAN_CUDNN_DL_H
#define DCGAN_CUDNN_DL_H

#include <stddef.h>
#include <cuda.h>
#include <cudnn.h>

// dl_cudnn_open loads libcudnn.so.9 and resolves every function below. It returns 0, or -1
// with the reason in err. Call it once, before anything else here.
int dl_cudnn_open(char *err, size_t errlen);

size_t dl_cudnnGetVersion(void);
size_t dl_cudnnGetCudartVersion(void);
const char *dl_cudnnGetErrorString(cudnnStatus_t status);
void dl_cudnnGetLastErrorString(char *message, size_t max);

cudnnStatus_t dl_cudnnCreate(cudnnHandle_t *handle);
cudnnStatus_t dl_cudnnDestroy(cudnnHandle_t handle);
cudnnStatus_t dl_cudnnSetStream(cudnnHandle_t handle, CUstream stream);

cudnnStatus_t dl_cudnnCreateTensorDescriptor(cudnnTensorDescriptor_t *d);
cudnnStatus_t dl_cudnnSetTensor4dDescriptor(cudnnTensorDescriptor_t d, int n, int c, int h, int w);
cudnnStatus_t dl_cudnnDestroyTensorDescriptor(cudnnTensorDescriptor_t d);
cudnnStatus_t dl_cudnnCreateFilterDescriptor(cudnnFilterDescriptor_t *d);
cudnnStatus_t dl_cudnnSetFilter4dDescriptor(cudnnFilterDescriptor_t d, int k, int c, int h, int w);
cudnnStatus_t dl_cudnnDestroyFilterDescriptor(cudnnFilterDescriptor_t d);
cudnnStatus_t dl_cudnnCreateConvolutionDescriptor(cudnnConvolutionDescriptor_t *d);
cudnnStatus_t dl_cudnnSetConvolution2dDescriptor(cudnnConvolutionDescriptor_t d, int pad,
                                                 int stride);
cudnnStatus_t dl_cudnnSetConvolutionMathType(cudnnConvolutionDescriptor_t d, cudnnMathType_t m);
cudnnStatus_t dl_cudnnDestroyConvolutionDescriptor(cudnnConvolutionDescriptor_t d);
cudnnStatus_t dl_cudnnGetConvolution2dForwardOutputDim(cudnnConvolutionDescriptor_t conv,
                                                       cudnnTensorDescriptor_t x,
                                                       cudnnFilterDescriptor_t w,
                                                       int *n, int *c, int *h, int *wd);

// Algorithm choice and workspace sizes. perf arrays hold max entries; *got is set to how many
// cuDNN filled.
cudnnStatus_t dl_cudnnGetConvolutionForwardAlgorithmMaxCount(cudnnHandle_t h, int *count);
cudnnStatus_t dl_cudnnGetConvolutionBackwardDataAlgorithmMaxCount(cudnnHandle_t h, int *count);
cudnnStatus_t dl_cudnnGetConvolutionBackwardFilterAlgorithmMaxCount(cudnnHandle_t h, int *count);
cudnnStatus_t dl_cudnnGetConvolutionForwardAlgorithm_v7(
    cudnnHandle_t h, cudnnTensorDescriptor_t x, cudnnFilterDescriptor_t w,
    cudnnConvolutionDescriptor_t conv, cudnnTensorDescriptor_t y, int max, int *got,
    cudnnConvolutionFwdAlgoPerf_t *perf);
cudnnStatus_t dl_cudnnGetConvolutionBackwardDataAlgorithm_v7(
    cudnnHandle_t h, cudnnFilterDescriptor_t w, cudnnTensorDescriptor_t dy,
    cudnnConvolutionDescriptor_t conv, cudnnTensorDescriptor_t dx, int max, int *got,
    cudnnConvolutionBwdDataAlgoPerf_t *perf);
cudnnStatus_t dl_cudnnGetConvolutionBackwardFilterAlgorithm_v7(
    cudnnHandle_t h, cudnnTensorDescriptor_t x, cudnnTensorDescriptor_t dy,
    cudnnConvolutionDescriptor_t conv, cudnnFilterDescriptor_t dw, int max, int *got,
    cudnnConvolutionBwdFilterAlgoPerf_t *perf);
cudnnStatus_t dl_cudnnFindConvolutionForwardAlgorithmEx(
    cudnnHandle_t h, cudnnTensorDescriptor_t xd, CUdeviceptr x, cudnnFilterDescriptor_t wd,
    CUdeviceptr w, cudnnConvolutionDescriptor_t conv, cudnnTensorDescriptor_t yd, CUdeviceptr y,
    int max, int *got, cudnnConvolutionFwdAlgoPerf_t *perf, CUdeviceptr ws, size_t wsBytes);
cudnnStatus_t dl_cudnnFindConvolutionBackwardDataAlgorithmEx(
    cudnnHandle_t h, cudnnFilterDescriptor_t wd, CUdeviceptr w, cudnnTensorDescriptor_t dyd,
    CUdeviceptr dy, cudnnConvolutionDescriptor_t conv, cudnnTensorDescriptor_t dxd,
    CUdeviceptr dx, int max, int *got, cudnnConvolutionBwdDataAlgoPerf_t *perf, CUdeviceptr ws,
    size_t wsBytes);
cudnnStatus_t dl_cudnnFindConvolutionBackwardFilterAlgorithmEx(
    cudnnHandle_t h, cudnnTensorDescriptor_t xd, CUdeviceptr x, cudnnTensorDescriptor_t dyd,
    CUdeviceptr dy, cudnnConvolutionDescriptor_t conv, cudnnFilterDescriptor_t dwd,
    CUdeviceptr dw, int max, int *got, cudnnConvolutionBwdFilterAlgoPerf_t *perf, CUdeviceptr ws,
    size_t wsBytes);
cudnnStatus_t dl_cudnnGetConvolutionForwardWorkspaceSize(
    cudnnHandle_t h, cudnnTensorDescriptor_t x, cudnnFilterDescriptor_t w,
    cudnnConvolutionDescriptor_t conv, cudnnTensorDescriptor_t y, cudnnConvolutionFwdAlgo_t algo,
    size_t *bytes);
cudnnStatus_t dl_cudnnGetConvolutionBackwardDataWorkspaceSize(
    cudnnHandle_t h, cudnnFilterDescriptor_t w, cudnnTensorDescriptor_t dy,
    cudnnConvolutionDescriptor_t conv, cudnnTensorDescriptor_t dx,
    cudnnConvolutionBwdDataAlgo_t algo, size_t *bytes);
cudnnStatus_t dl_cudnnGetConvolutionBackwardFilterWorkspaceSize(
    cudnnHandle_t h, cudnnTensorDescriptor_t x, cudnnTensorDescriptor_t dy,
    cudnnConvolutionDescriptor_t conv, cudnnFilterDescriptor_t dw,
    cudnnConvolutionBwdFilterAlgo_t algo, size_t *bytes);

// The convolutions: out = alpha*op(...) + beta*out.
cudnnStatus_t dl_cudnnConvolutionForward(cudnnHandle_t h, float alpha, cudnnTensorDescriptor_t xd,
                                         CUdeviceptr x, cudnnFilterDescriptor_t wd, CUdeviceptr w,
                                         cudnnConvolutionDescriptor_t conv,
                                         cudnnConvolutionFwdAlgo_t algo, CUdeviceptr ws,
                                         size_t wsBytes, float beta, cudnnTensorDescriptor_t yd,
                                         CUdeviceptr y);
cudnnStatus_t dl_cudnnConvolutionBackwardData(cudnnHandle_t h, float alpha,
                                              cudnnFilterDescriptor_t wd, CUdeviceptr w,
                                              cudnnTensorDescriptor_t dyd, CUdeviceptr dy,
                                              cudnnConvolutionDescriptor_t conv,
                                              cudnnConvolutionBwdDataAlgo_t algo, CUdeviceptr ws,
                                              size_t wsBytes, float beta,
                                              cudnnTensorDescriptor_t dxd, CUdeviceptr dx);
cudnnStatus_t dl_cudnnConvolutionBackwardFilter(cudnnHandle_t h, float alpha,
                                                cudnnTensorDescriptor_t xd, CUdeviceptr x,
                                                cudnnTensorDescriptor_t dyd, CUdeviceptr dy,
                                                cudnnConvolutionDescriptor_t conv,
                                                cudnnConvolutionBwdFilterAlgo_t algo,
                                                CUdeviceptr ws, size_t wsBytes, float beta,
                                                cudnnFilterDescriptor_t dwd, CUdeviceptr dw);

// Spatial batch normalisation (CUDNN_BATCHNORM_SPATIAL). Outputs are overwritten (alpha 1,
// beta 0), except that the backward pass adds betaParam times the old dScale and dBias.
cudnnStatus_t dl_cudnnDeriveBNTensorDescriptor(cudnnTensorDescriptor_t bn,
                                               cudnnTensorDescriptor_t x);
cudnnStatus_t dl_cudnnBatchNormalizationForwardTraining(
    cudnnHandle_t h, cudnnTensorDescriptor_t xd, CUdeviceptr x, CUdeviceptr y,
    cudnnTensorDescriptor_t bnd, CUdeviceptr scale, CUdeviceptr bias, double factor,
    CUdeviceptr runMean, CUdeviceptr runVar, double eps, CUdeviceptr saveMean,
    CUdeviceptr saveInvStd);
cudnnStatus_t dl_cudnnBatchNormalizationForwardInference(
    cudnnHandle_t h, cudnnTensorDescriptor_t xd, CUdeviceptr x, CUdeviceptr y,
    cudnnTensorDescriptor_t bnd, CUdeviceptr scale, CUdeviceptr bias, CUdeviceptr mean,
    CUdeviceptr var, double eps);
cudnnStatus_t dl_cudnnBatchNormalizationBackward(cudnnHandle_t h, cudnnTensorDescriptor_t xd,
                                                 CUdeviceptr x, CUdeviceptr dy, CUdeviceptr dx,
                                                 cudnnTensorDescriptor_t bnd, CUdeviceptr scale,
                                                 float betaParam, CUdeviceptr dScale,
                                                 CUdeviceptr dBias, double eps,
                                                 CUdeviceptr saveMean, CUdeviceptr saveInvStd);

#endif
