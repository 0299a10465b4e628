/**
 * Runnable examples: the guide's echo bot.
 *
 * @since 0.1.0
 */
export * as EchoBot from "./echoBot.ts"
