package engine

import "context"

// TickCron runs one tick of e's scheduler, for tests.
func (e *Engine) TickCron(ctx context.Context) { e.cronTick(ctx) }

// WaitCron waits for e's scheduled runs, for tests.
func (e *Engine) WaitCron() { e.waitCron() }
