package dcgan

import (
	"fmt"

	"github.com/dcgan-gpu/dcgan-gpu/dcgan/ref"
)

// cpuNet is G or D on the CPU: the ref layers of a Net with their parameters, gradients
// and Adam moments in one arena each, and activation buffers for a batch of up to maxN.
//
// Activations run in place on their input's buffer. ReLU and Tanh backward read their
// output; LeakyReLU backward reads the sign of its input, and since the slope is positive
// the output has the same sign, so the output serves there too.
type cpuNet struct {
	net     Net
	layers  []cpuLayer
	tensors []netTensor // the state_dict tensors, in Params() order

	learned, grad, m, v []float32 // arenas of the optimised values, in Params() order
	running             []float32 // arena of the batch-norm running statistics

	dbuf [2][]float32 // input gradients of the inner layers, used in turn
}

// cpuLayer is one module of the net with the buffer its output goes to.
type cpuLayer struct {
	Layer
	conv            *ref.Conv2D
	convT           *ref.ConvTranspose2D
	bn              *ref.BatchNorm2D
	out             []float32 // [maxN, OutC, Out, Out]; an activation's is its input's
	inSize, outSize int       // values per image
}

// netTensor is one state_dict tensor of a cpuNet as sub-slices of the arenas. Running
// statistics have no grad, m or v.
type netTensor struct {
	Param
	val, grad, m, v []float32
}

// newCPUNet builds net for batches of up to maxN images.
func newCPUNet(net Net, maxN int) *cpuNet {
	cn := &cpuNet{net: net}
	cn.carve(net.Params())
	byName := make(map[string]*netTensor, len(cn.tensors))
	for i := range cn.tensors {
		byName[cn.tensors[i].Name] = &cn.tensors[i]
	}
	maxAct := 0
	for _, l := range net.Layers {
		cl := cpuLayer{Layer: l, inSize: l.InC * l.In * l.In, outSize: l.OutC * l.Out * l.Out}
		cn.build(&cl, maxN, byName)
		cn.layers = append(cn.layers, cl)
		maxAct = max(maxAct, cl.inSize, cl.outSize)
	}
	cn.dbuf = [2][]float32{make([]float32, maxN*maxAct), make([]float32, maxN*maxAct)}
	return cn
}

// carve allocates the arenas and cuts them into the tensors of ps.
func (cn *cpuNet) carve(ps []Param) {
	nl, nr := 0, 0
	for _, p := range ps {
		if p.Learned {
			nl += Size(p.Shape)
		} else {
			nr += Size(p.Shape)
		}
	}
	cn.learned, cn.grad = make([]float32, nl), make([]float32, nl)
	cn.m, cn.v = make([]float32, nl), make([]float32, nl)
	cn.running = make([]float32, nr)
	ol, or := 0, 0
	for _, p := range ps {
		n := Size(p.Shape)
		t := netTensor{Param: p}
		if p.Learned {
			t.val, t.grad = cn.learned[ol:ol+n:ol+n], cn.grad[ol:ol+n:ol+n]
			t.m, t.v = cn.m[ol:ol+n:ol+n], cn.v[ol:ol+n:ol+n]
			ol += n
		} else {
			t.val = cn.running[or : or+n : or+n]
			or += n
		}
		cn.tensors = append(cn.tensors, t)
	}
}

// build creates l's ref layer over its tensors and its output buffer.
func (cn *cpuNet) build(l *cpuLayer, maxN int, byName map[string]*netTensor) {
	p := func(s string) *netTensor { return byName[fmt.Sprintf("main.%d.%s", l.Index, s)] }
	switch l.Kind {
	case Conv:
		w := p("weight")
		l.conv = ref.NewConv2D(maxN, l.InC, l.OutC, l.In, l.In, l.K, l.Stride, l.Pd,
			w.val, w.grad)
	case ConvTranspose:
		w := p("weight")
		l.convT = ref.NewConvTranspose2D(maxN, l.InC, l.OutC, l.In, l.In, l.K, l.Stride, l.Pd,
			w.val, w.grad)
	case BatchNorm:
		g, b := p("weight"), p("bias")
		l.bn = ref.NewBatchNorm2D(maxN, l.InC, l.In*l.In, g.val, b.val, g.grad, b.grad,
			p("running_mean").val, p("running_var").val)
	}
	if l.Kind == Conv || l.Kind == ConvTranspose || l.Kind == BatchNorm {
		l.out = make([]float32, maxN*l.outSize)
	} else {
		l.out = cn.layers[len(cn.layers)-1].out
	}
}

// forward runs the net on x ([n, ...] input) and returns its output. In training mode
// batch norm uses the batch's statistics, and moves the running averages if update is set.
func (cn *cpuNet) forward(x []float32, n int, train, update bool) []float32 {
	in := x[:n*cn.layers[0].inSize]
	for i := range cn.layers {
		l := &cn.layers[i]
		y := l.out[:n*l.outSize]
		switch l.Kind {
		case Conv:
			l.conv.Forward(in, y, n)
		case ConvTranspose:
			l.convT.Forward(in, y, n)
		case BatchNorm:
			l.bn.Forward(in, y, n, train, update)
		case ReLU:
			ref.ReLUForward(in, y)
		case LeakyReLU:
			ref.LeakyReLUForward(in, y, LeakySlope)
		case Tanh:
			ref.TanhForward(in, y)
		}
		in = y
	}
	return in
}

// backward runs the net backward from dy, the gradient of the output of the last forward
// on x. Unless dx is nil it sets dx to the gradient of x. With params it overwrites the
// parameter gradients; without, the convolutions skip theirs (the batch norms' cost
// nothing extra and are still written), for a pass that wants dx alone.
func (cn *cpuNet) backward(x, dy, dx []float32, n int, params bool) {
	next := 0 // the dbuf a convolution's input gradient goes to
	for i := len(cn.layers) - 1; i >= 0; i-- {
		l := &cn.layers[i]
		in, d := x, dx
		if i > 0 {
			in, d = cn.layers[i-1].out, cn.dbuf[next]
		}
		in, d = in[:n*l.inSize], d[:min(len(d), n*l.inSize)]
		y := l.out[:n*l.outSize]
		switch l.Kind {
		case Conv:
			if params {
				l.conv.Backward(in, dy, d, n)
			} else if d != nil && len(d) > 0 {
				l.conv.BackwardData(dy, d, n)
			}
			next = 1 - next
		case ConvTranspose:
			l.convT.Backward(in, dy, d, n)
			next = 1 - next
		case BatchNorm:
			l.bn.Backward(in, dy, dy, n)
			d = dy
		case ReLU:
			ref.ReLUBackward(y, dy, dy)
			d = dy
		case LeakyReLU:
			ref.LeakyReLUBackward(y, dy, dy, LeakySlope)
			d = dy
		case Tanh:
			ref.TanhBackward(y, dy, dy)
			d = dy
		}
		dy = d
	}
}
