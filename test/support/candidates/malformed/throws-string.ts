// A module that throws something that is not an Error while it loads.
throw 'not an Error';
