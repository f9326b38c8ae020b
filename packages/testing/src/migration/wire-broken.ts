/** The connection between the hosts broke: what was on its way is lost (the wire hook returned `null`). */
export class WireBroken extends Error {
  constructor() {
    super('the connection between the hosts broke');
  }
}
