package proxy

import "sync"

// copyBufSize is the size of the buffers bodies are copied with.
const copyBufSize = 32 << 10

// bufferPool recycles the buffers both forwarding paths copy bodies with. It pools
// array pointers, so neither Get nor Put allocates.
type bufferPool struct{ pool *sync.Pool }

func newBufferPool() bufferPool {
	return bufferPool{pool: &sync.Pool{New: func() any { return new([copyBufSize]byte) }}}
}

// Get returns a buffer.
func (bp bufferPool) Get() []byte { return bp.pool.Get().(*[copyBufSize]byte)[:] }

// Put returns a buffer from Get; other slices are dropped.
func (bp bufferPool) Put(b []byte) {
	if cap(b) >= copyBufSize {
		bp.pool.Put((*[copyBufSize]byte)(b[:copyBufSize]))
	}
}
