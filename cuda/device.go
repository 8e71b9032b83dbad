//go:build cuda

package cuda

// #include <cuda.h>
import "C"

import (
	"fmt"
	"runtime"

	"gorgonia.org/cu"
)

// DeviceInfo describes one GPU as the driver reports it.
type DeviceInfo struct {
	Ordinal         int
	Name            string
	Major, Minor    int   // compute capability
	TotalMem        int64 // bytes
	Multiprocessors int
}

// DriverVersion returns the CUDA version the installed driver supports, e.g. 13000 for 13.0
// (cuDriverGetVersion).
func DriverVersion() (int, error) {
	var v C.int
	if err := check("cuDriverGetVersion", C.cuDriverGetVersion(&v)); err != nil {
		return 0, err
	}
	return int(v), nil
}

// HeaderVersion is the CUDA version of the cuda.h this package was compiled against.
const HeaderVersion = int(C.CUDA_VERSION)

// Devices lists the GPUs the driver sees (cuDeviceGetCount, cuDeviceGetName, …). It needs no
// context.
func Devices() ([]DeviceInfo, error) {
	n, err := cu.NumDevices()
	if err != nil {
		return nil, checkCU("cuDeviceGetCount", err)
	}
	ds := make([]DeviceInfo, 0, n)
	for i := 0; i < n; i++ {
		d, err := Device(i)
		if err != nil {
			return nil, err
		}
		ds = append(ds, d)
	}
	return ds, nil
}

// Device describes the GPU with the given ordinal.
func Device(ordinal int) (DeviceInfo, error) {
	info := DeviceInfo{Ordinal: ordinal}
	d, err := cu.GetDevice(ordinal)
	if err != nil {
		return info, fmt.Errorf("cuda: device %d: %w", ordinal, checkCU("cuDeviceGet", err))
	}
	if info.Name, err = d.Name(); err != nil {
		return info, checkCU("cuDeviceGetName", err)
	}
	if info.Major, info.Minor, err = d.ComputeCapability(); err != nil {
		return info, checkCU("cuDeviceGetAttribute", err)
	}
	if info.TotalMem, err = d.TotalMem(); err != nil {
		return info, checkCU("cuDeviceTotalMem", err)
	}
	if info.Multiprocessors, err = d.Attribute(cu.MultiprocessorCount); err != nil {
		return info, checkCU("cuDeviceGetAttribute", err)
	}
	return info, nil
}

// Context is a device's primary context, current on the OS thread of the goroutine that
// opened it (see the package's thread rule).
type Context struct {
	dev    cu.Device
	ctx    cu.CUContext
	info   DeviceInfo
	driver int
	open   bool
}

// Open checks the driver, retains the primary context of the GPU with the given ordinal
// (cuDevicePrimaryCtxRetain) and makes it current (cuCtxSetCurrent) on the calling
// goroutine's OS thread, to which it locks the goroutine. That goroutine makes every later
// call and must be the one to Close.
func Open(ordinal int) (*Context, error) {
	driver, err := DriverVersion()
	if err != nil {
		return nil, err
	}
	if driver < MinDriver {
		return nil, fmt.Errorf("%w: it supports CUDA %s, this program needs %s or newer",
			ErrDriverTooOld, CUDAVersionString(driver), CUDAVersionString(MinDriver))
	}
	info, err := Device(ordinal)
	if err != nil {
		return nil, err
	}
	dev, err := cu.GetDevice(ordinal)
	if err != nil {
		return nil, checkCU("cuDeviceGet", err)
	}

	runtime.LockOSThread()
	c := &Context{dev: dev, info: info, driver: driver}
	if c.ctx, err = c.dev.RetainPrimaryCtx(); err != nil {
		runtime.UnlockOSThread()
		return nil, checkCU("cuDevicePrimaryCtxRetain", err)
	}
	if err := cu.SetCurrentContext(c.ctx); err != nil {
		c.dev.ReleasePrimaryCtx()
		runtime.UnlockOSThread()
		return nil, checkCU("cuCtxSetCurrent", err)
	}
	c.open = true
	return c, nil
}

// Info describes the context's device.
func (c *Context) Info() DeviceInfo { return c.info }

// Driver is the driver's CUDA version, as DriverVersion.
func (c *Context) Driver() int { return c.driver }

// Synchronize waits for all work on the device (cuCtxSynchronize).
func (c *Context) Synchronize() error {
	if !c.open {
		return ErrClosed
	}
	return checkCU("cuCtxSynchronize", cu.Synchronize())
}

// MemInfo returns free and total device memory in bytes (cuMemGetInfo).
func (c *Context) MemInfo() (free, total int64, err error) {
	if !c.open {
		return 0, 0, ErrClosed
	}
	free, total, err = cu.MemInfo()
	return free, total, checkCU("cuMemGetInfo", err)
}

// IsCurrent reports whether this context is current on the calling thread
// (cuCtxGetCurrent): false when called from a goroutine other than the owner.
func (c *Context) IsCurrent() bool {
	cur, err := cu.CurrentContext()
	return err == nil && c.open && cur == c.ctx
}

// Close unsets the context on this thread, releases the primary context
// (cuDevicePrimaryCtxRelease) and unlocks the goroutine from its thread. Free everything
// allocated under the context first. Safe to call twice.
func (c *Context) Close() error {
	if !c.open {
		return nil
	}
	c.open = false
	err := checkCU("cuCtxSetCurrent", cu.SetCurrentContext(cu.CUContext{}))
	if rerr := checkCU("cuDevicePrimaryCtxRelease", c.dev.ReleasePrimaryCtx()); err == nil {
		err = rerr
	}
	runtime.UnlockOSThread()
	return err
}
