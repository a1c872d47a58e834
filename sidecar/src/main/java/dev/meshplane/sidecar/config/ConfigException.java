package dev.meshplane.sidecar.config;

/** A definition file that cannot be used; the message names the file and the field. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message, null, false, false);
    }
}
