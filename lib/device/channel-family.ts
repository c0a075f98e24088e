/**
 * The part of a family adapter that only passes on what its client knows
 * about the channel: where it talks to, over what, and whether the device
 * answers. Both families' clients report this alike, so both adapters
 * share this one copy of it.
 */

/** What the device layer needs of a family's client about its channel. */
export interface ChannelClient {
  readonly host: string;
  readonly port: number;
  readonly transportKind: string;
  readonly online: boolean | undefined;
  on(event: 'online' | 'offline', listener: (error?: Error) => void): unknown;
  off(event: 'online' | 'offline', listener: (error?: Error) => void): unknown;
}

export abstract class ChannelFamily<C extends ChannelClient> {
  protected constructor(protected readonly client: C) {}

  get host(): string {
    return this.client.host;
  }

  get port(): number {
    return this.client.port;
  }

  get transportName(): string {
    return this.client.transportKind;
  }

  get online(): boolean | undefined {
    return this.client.online;
  }

  onReachability(listener: (online: boolean, error?: Error) => void): () => void {
    const up = (): void => listener(true);
    const down = (error?: Error): void => listener(false, error);
    this.client.on('online', up);
    this.client.on('offline', down);
    return () => {
      this.client.off('online', up);
      this.client.off('offline', down);
    };
  }
}
