package dev.kiln.platform;

import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.data.redis.core.script.RedisScript;

import static org.assertj.core.api.Assertions.assertThat;

class LuaScriptTests {

	@Test
	void theDigestIsTheOneRedisComputesForEvalsha() {
		String script = "return redis.call('GET', KEYS[1])";
		LuaScript<List> ours = LuaScript.of(script, List.class);

		assertThat(ours.getSha1()).isEqualTo(RedisScript.of(script, List.class).getSha1());
		assertThat(ours.getScriptAsString()).isEqualTo(script);
		assertThat(ours.returnsRawValue()).isFalse();
	}
}
