import type { DependencyContainer } from 'tsyringe';
import type { Token } from '../../di/token.js';
import type { PluginContainer } from '../../plugin/plugin-container.js';

/** {@link PluginContainer} over a tsyringe child container: each value registered as `useValue`. */
export class TsyringePluginContainer implements PluginContainer {
  constructor(private readonly container: DependencyContainer) {}

  provide<T>(token: Token<T>, value: T): void {
    this.container.register(token, { useValue: value });
  }

  provideAll<T>(token: Token<T>, values: readonly T[]): void {
    for (const value of values) this.provide(token, value);
  }

  resolve<T>(token: Token<T>): T {
    if (!this.container.isRegistered(token)) throw new Error(`nothing is provided under ${String(token.description)}`);
    return this.container.resolve<T>(token);
  }

  resolveAll<T>(token: Token<T>): T[] {
    return this.container.isRegistered(token) ? this.container.resolveAll<T>(token) : [];
  }

  has(token: Token<unknown>): boolean {
    return this.container.isRegistered(token);
  }
}
