package dev.kiln.platform.config;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

@Configuration(proxyBeanMethods = false)
class RedisConfiguration {

	/**
	 * Lettuce opens its shared connection synchronously the first time it is used; without this, that
	 * first use is a request's event loop waiting for a TCP connect (BlockHound caught it). Eager
	 * initialisation connects at start-up instead.
	 */
	@Bean
	static BeanPostProcessor eagerRedisConnection() {
		return new BeanPostProcessor() {
			@Override
			public Object postProcessBeforeInitialization(Object bean, String beanName) {
				if (bean instanceof LettuceConnectionFactory lettuce) {
					lettuce.setEagerInitialization(true);
				}
				return bean;
			}
		};
	}
}
