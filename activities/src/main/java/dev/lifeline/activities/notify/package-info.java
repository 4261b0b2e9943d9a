/** Delivers playbook notifications: the worker log always, a chat webhook when configured. */
package dev.lifeline.activities.notify;
