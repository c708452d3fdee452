#!/usr/bin/env node
/** The `megabit` command: loads the bridge (main.ts) through its bundle and code cache when it can (cli-bundle.ts). */
import { loadBridge } from './cli-bundle';

loadBridge(__dirname);
