//go:build cuda

package dcgan

import (
	"errors"
	"fmt"

	"github.com/dcgan-gpu/dcgan-gpu/cuda"
	"github.com/dcgan-gpu/dcgan-gpu/gpu"
)

// cudaNet is G or D on a GPU, laid out as cpuNet is on the host: the gpu layers of a Net,
// its parameters, gradients and Adam moments in one arena each (one plan, so one Adam launch
// updates the net), the running statistics in a fifth, and the activations, the two
// input-gradient buffers and the batch norms' saved statistics in a sixth.
//
// Activations run in place on their input's buffer, as on the CPU. Batch norm's backward
// writes its input gradient to the other gradient buffer: cuDNN does not promise in place.
type cudaNet struct {
	net     Net
	layers  []cudaLayer
	tensors []cudaTensor // the state_dict tensors, in Params() order

	plan, runPlan, actPlan gpu.ArenaPlan
	learned, grad, m, v    *gpu.Arena
	running, act           *gpu.Arena
	dbuf                   [2]cuda.DevicePtr
}

// cudaLayer is one module of the net on the GPU with the buffer its output goes to.
type cudaLayer struct {
	Layer
	conv            *gpu.Conv2D
	convT           *gpu.ConvTranspose2D
	bn              *gpu.BatchNorm2D
	out             cuda.DevicePtr // [maxN, OutC, Out, Out]; an activation's is its input's
	inSize, outSize int
}

// cudaTensor is one state_dict tensor: its slot in the learned (and grad, m, v) arenas or,
// for running statistics, in the running arena.
type cudaTensor struct {
	Param
	slot int
}

// newCUDANet builds net on dev for batches of up to maxN; on error it frees what it made.
func newCUDANet(dev *gpu.Device, net Net, maxN int) (cn *cudaNet, err error) {
	cn = &cudaNet{net: net}
	defer func() {
		if err != nil {
			cn.close()
		}
	}()
	for _, p := range net.Params() {
		t := cudaTensor{Param: p}
		if p.Learned {
			t.slot = cn.plan.Add(p.Name, Size(p.Shape))
		} else {
			t.slot = cn.runPlan.Add(p.Name, Size(p.Shape))
		}
		cn.tensors = append(cn.tensors, t)
	}
	outSlots := make([]int, len(net.Layers))
	maxAct := 0
	for i, l := range net.Layers {
		outSlots[i] = -1
		if l.Kind == Conv || l.Kind == ConvTranspose || l.Kind == BatchNorm {
			outSlots[i] = cn.actPlan.Add(fmt.Sprintf("main.%d.out", l.Index),
				maxN*l.OutC*l.Out*l.Out)
		}
		maxAct = max(maxAct, l.InC*l.In*l.In, l.OutC*l.Out*l.Out)
	}
	dslots := [2]int{cn.actPlan.Add("dx0", maxN*maxAct), cn.actPlan.Add("dx1", maxN*maxAct)}
	saveSlots := map[int][2]int{}
	for _, l := range net.Layers {
		if l.Kind == BatchNorm {
			saveSlots[l.Index] = [2]int{
				cn.actPlan.Add(fmt.Sprintf("main.%d.save_mean", l.Index), l.InC),
				cn.actPlan.Add(fmt.Sprintf("main.%d.save_invstd", l.Index), l.InC)}
		}
	}

	s := dev.Stream
	for _, a := range []struct {
		dst  **gpu.Arena
		what string
		plan gpu.ArenaPlan
	}{
		{&cn.learned, net.Name + " parameters", cn.plan},
		{&cn.grad, net.Name + " gradients", cn.plan},
		{&cn.m, net.Name + " adam m", cn.plan},
		{&cn.v, net.Name + " adam v", cn.plan},
		{&cn.running, net.Name + " running statistics", cn.runPlan},
		{&cn.act, net.Name + " activations", cn.actPlan},
	} {
		if *a.dst, err = gpu.NewArena(a.what, a.plan, s); err != nil {
			return nil, err
		}
	}
	cn.dbuf = [2]cuda.DevicePtr{cn.act.Ptr(dslots[0]), cn.act.Ptr(dslots[1])}

	for i, l := range net.Layers {
		cl := cudaLayer{Layer: l, inSize: l.InC * l.In * l.In, outSize: l.OutC * l.Out * l.Out}
		if outSlots[i] >= 0 {
			cl.out = cn.act.Ptr(outSlots[i])
		} else {
			cl.out = cn.layers[i-1].out
		}
		if err := cn.build(dev, &cl, maxN, saveSlots[l.Index]); err != nil {
			return nil, err
		}
		cn.layers = append(cn.layers, cl)
	}
	return cn, nil
}

// slot finds the learned or running tensor named main.<index>.<suffix>.
func (cn *cudaNet) slot(index int, suffix string) (learned bool, slot int) {
	name := fmt.Sprintf("main.%d.%s", index, suffix)
	for _, t := range cn.tensors {
		if t.Name == name {
			return t.Learned, t.slot
		}
	}
	panic("dcgan: " + cn.net.Name + " has no " + name) // Params and Layers disagree: our bug
}

// build creates l's gpu layer over its tensors.
func (cn *cudaNet) build(dev *gpu.Device, l *cudaLayer, maxN int, save [2]int) error {
	what := fmt.Sprintf("%s main.%d %v", cn.net.Name, l.Index, l.Kind)
	var err error
	switch l.Kind {
	case Conv:
		_, w := cn.slot(l.Index, "weight")
		l.conv, err = dev.NewConv2D(what, maxN, l.InC, l.OutC, l.In, l.K, l.Stride, l.Pd,
			cn.learned.Ptr(w), cn.grad.Ptr(w))
	case ConvTranspose:
		_, w := cn.slot(l.Index, "weight")
		l.convT, err = dev.NewConvTranspose2D(what, maxN, l.InC, l.OutC, l.In, l.K, l.Stride,
			l.Pd, cn.learned.Ptr(w), cn.grad.Ptr(w))
	case BatchNorm:
		_, g := cn.slot(l.Index, "weight")
		_, b := cn.slot(l.Index, "bias")
		_, rm := cn.slot(l.Index, "running_mean")
		_, rv := cn.slot(l.Index, "running_var")
		t := cuda.BNTensors{
			Scale: cn.learned.Ptr(g), Bias: cn.learned.Ptr(b),
			DScale: cn.grad.Ptr(g), DBias: cn.grad.Ptr(b),
			RunMean: cn.running.Ptr(rm), RunVar: cn.running.Ptr(rv),
			SaveMean: cn.act.Ptr(save[0]), SaveInvStd: cn.act.Ptr(save[1]),
		}
		l.bn, err = dev.NewBatchNorm2D(what, maxN, l.InC, l.In, t, BatchNormEps,
			BatchNormMomentum)
	}
	return err
}

// forward runs the net on x (n inputs) and returns the address of its output. In training
// mode batch norm uses the batch's statistics, and moves the running averages if update is
// set.
func (cn *cudaNet) forward(k *gpu.Kernels, s *cuda.Stream, x cuda.DevicePtr, n int,
	train, update bool) (cuda.DevicePtr, error) {
	in := x
	for i := range cn.layers {
		l := &cn.layers[i]
		y := l.out
		var err error
		switch l.Kind {
		case Conv:
			err = l.conv.Forward(in, y, n)
		case ConvTranspose:
			err = l.convT.Forward(in, y, n)
		case BatchNorm:
			err = l.bn.Forward(in, y, n, train, update)
		case ReLU:
			err = k.ReLUForward(s, in, y, n*l.outSize)
		case LeakyReLU:
			err = k.LeakyReLUForward(s, in, y, n*l.outSize, LeakySlope)
		case Tanh:
			err = k.TanhForward(s, in, y, n*l.outSize)
		}
		if err != nil {
			return 0, err
		}
		in = y
	}
	return in, nil
}

// backward runs the net backward from dy, the gradient of the output of the last forward on
// x. With params set it writes the parameter gradients, added to what is there if
// accumulate is set; without, they are skipped where cuDNN allows (convolutions) and
// scribbled over otherwise (batch norm's γ and β gradients), for the caller to overwrite
// later. Unless dx is 0 it sets dx to the gradient of x.
func (cn *cudaNet) backward(k *gpu.Kernels, s *cuda.Stream, x, dy, dx cuda.DevicePtr, n int,
	params, accumulate bool) error {
	next := 0 // the dbuf the next input gradient goes to
	for i := len(cn.layers) - 1; i >= 0; i-- {
		l := &cn.layers[i]
		in, d := x, dx
		if i > 0 {
			in, d = cn.layers[i-1].out, cn.dbuf[next]
		}
		var err error
		switch l.Kind {
		case Conv, ConvTranspose:
			var gw cuda.DevicePtr
			if params && l.Kind == Conv {
				gw = l.conv.GW
			} else if params {
				gw = l.convT.GW
			}
			if l.Kind == Conv {
				err = l.conv.Backward(in, dy, d, gw, n, accumulate)
			} else {
				err = l.convT.Backward(in, dy, d, gw, n, accumulate)
			}
			next = 1 - next
		case BatchNorm:
			if d == 0 {
				d = cn.dbuf[next]
			}
			err = l.bn.Backward(in, dy, d, n, accumulate && params)
			next = 1 - next
		case ReLU:
			err = k.ReLUBackward(s, l.out, dy, dy, n*l.outSize)
			d = dy
		case LeakyReLU:
			err = k.LeakyReLUBackward(s, l.out, dy, dy, n*l.outSize, LeakySlope)
			d = dy
		case Tanh:
			err = k.TanhBackward(s, l.out, dy, dy, n*l.outSize)
			d = dy
		}
		if err != nil {
			return err
		}
		dy = d
	}
	return nil
}

// close frees the layers' descriptors and the arenas. Safe to call twice.
func (cn *cudaNet) close() error {
	var errs []error
	for _, l := range cn.layers {
		switch {
		case l.conv != nil:
			errs = append(errs, l.conv.Close())
		case l.convT != nil:
			errs = append(errs, l.convT.Close())
		case l.bn != nil:
			errs = append(errs, l.bn.Close())
		}
	}
	cn.layers = nil
	for _, a := range []*gpu.Arena{cn.learned, cn.grad, cn.m, cn.v, cn.running, cn.act} {
		errs = append(errs, a.Close())
	}
	return errors.Join(errs...)
}
