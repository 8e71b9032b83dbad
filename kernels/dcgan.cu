/*
 * dcgan.cu: the one translation unit build.sh compiles into dcgan.fatbin.
 *
 * A fatbin holds one image per architecture and the driver loads one image as one module, so
 * every kernel must be in the same image: the op-family files are included here rather than
 * compiled and device-linked apart (a device-linked image would carry no PTX for newer GPUs).
 * build.sh fails if a .cu file in this folder is missing from the list.
 */
#include "activation.cu"
#include "adam.cu"
#include "batch.cu"
#include "bce.cu"
#include "noise.cu"
