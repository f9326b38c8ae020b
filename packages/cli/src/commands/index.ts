import type { Command } from '../command.js';
import { abiDecodeCommand } from './abi-decode.js';
import { abiEncodeCommand } from './abi-encode.js';
import { abiListCommand } from './abi-list.js';
import { offlineDemoCommand } from './offline-demo.js';
import { runCommand } from './run.js';
import { simulateCommand } from './simulate.js';
import { benchCommand } from './bench.js';
import { migrateCommand } from './migrate.js';
import { mrcCommand } from './mrc.js';
import { storeDumpCommand } from './store/store-dump.js';
import { storeRepairCommand } from './store/store-repair.js';
import { storeStressCommand } from './store/store-stress.js';
import { storeVerifyCommand } from './store/store-verify.js';
import { uffdHandlerCommand } from './uffd-handler.js';

/** Every `pagevisor` command, in the order `--help` lists them. */
export const COMMANDS: readonly Command[] = [runCommand, simulateCommand, benchCommand, mrcCommand, abiListCommand, abiEncodeCommand, abiDecodeCommand, storeStressCommand, storeDumpCommand, storeVerifyCommand, storeRepairCommand, offlineDemoCommand, migrateCommand, uffdHandlerCommand];
